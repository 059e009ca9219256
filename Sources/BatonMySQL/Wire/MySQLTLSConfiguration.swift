/// Whether and how a connection uses TLS.
public struct MySQLTLSConfiguration: Sendable, Hashable {
    /// When to use TLS.
    public enum Mode: String, Sendable, Hashable, CaseIterable {
        /// Never use TLS.
        case disabled
        /// Use TLS when the server advertises it, plain TCP otherwise.
        case preferred
        /// Fail with ``MySQLError/Code/tlsUnavailable`` when the server does not advertise TLS.
        case required
    }

    /// How the server's certificate is checked.
    public enum Verification: String, Sendable, Hashable, CaseIterable {
        /// Chain must be trusted (system roots or ``MySQLTLSConfiguration/caFile``) and match the host name.
        case full
        /// Chain must be trusted; the host name is not checked (MySQL's VERIFY_CA).
        case caOnly
        /// No verification ("skip verify"): encrypts but does not authenticate the server.
        case none
    }

    public var mode: Mode
    public var verification: Verification
    /// PEM file with the certificate authorities to trust instead of the system roots.
    public var caFile: String?
    /// PEM file with the client certificate chain, for servers that require X509 users.
    public var certificateFile: String?
    /// PEM file with the client certificate's private key.
    public var privateKeyFile: String?

    public init(
        mode: Mode,
        verification: Verification = .full,
        caFile: String? = nil,
        certificateFile: String? = nil,
        privateKeyFile: String? = nil
    ) {
        self.mode = mode
        self.verification = verification
        self.caFile = caFile
        self.certificateFile = certificateFile
        self.privateKeyFile = privateKeyFile
    }

    /// Plain TCP only.
    public static let disabled = MySQLTLSConfiguration(mode: .disabled)
}

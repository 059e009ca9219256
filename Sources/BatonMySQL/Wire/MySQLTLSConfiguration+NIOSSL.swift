import NIOSSL

extension MySQLTLSConfiguration {
    /// Builds the NIOSSL context, or nil when TLS is disabled.
    func makeSSLContext() throws(MySQLError) -> NIOSSLContext? {
        guard self.mode != .disabled else {
            return nil
        }
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        switch self.verification {
        case .full:
            configuration.certificateVerification = .fullVerification
        case .caOnly:
            configuration.certificateVerification = .noHostnameVerification
        case .none:
            configuration.certificateVerification = .none
        }
        do {
            if let caFile = self.caFile {
                configuration.trustRoots = .file(caFile)
                // Fail early with a clear message rather than at handshake time.
                _ = try NIOSSLCertificate.fromPEMFile(caFile)
            }
            switch (self.certificateFile, self.privateKeyFile) {
            case (nil, nil):
                break
            case (let certificateFile?, let privateKeyFile?):
                configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(certificateFile).map { .certificate($0) }
                configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: privateKeyFile, format: .pem))
            default:
                throw MySQLError(
                    code: .tlsFailed,
                    message: "TLS client certificate and private key must be configured together"
                )
            }
            return try NIOSSLContext(configuration: configuration)
        } catch let error as MySQLError {
            throw error
        } catch {
            throw MySQLError(
                code: .tlsFailed,
                message: "could not load the TLS configuration (CA file, client certificate or key)",
                underlying: error
            )
        }
    }
}

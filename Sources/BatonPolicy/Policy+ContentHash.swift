import Crypto

extension Policy {
    /// SHA-256 of `source` as 64 lower-case hex digits: the fingerprint the audit records and `status` compares.
    static func contentHash(of source: String) -> String {
        SHA256.hash(data: Array(source.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}

import Crypto

/// The authentication plugins this client implements, and their scramble functions.
///
/// The scrambles are public so that server simulators can check a client's answer.
public enum MySQLAuthPlugin {
    public static let nativePassword = "mysql_native_password"
    public static let cachingSHA2Password = "caching_sha2_password"

    /// True for plugin names this client can answer.
    public static func isSupported(_ name: String) -> Bool {
        name == Self.nativePassword || name == Self.cachingSHA2Password
    }

    /// The scramble for `plugin`, or nil if the plugin is not supported. An empty password gives an empty answer.
    public static func scramble(plugin: String, password: String, nonce: [UInt8]) -> [UInt8]? {
        switch plugin {
        case Self.nativePassword:
            return Self.nativePasswordScramble(password: password, nonce: nonce)
        case Self.cachingSHA2Password:
            return Self.cachingSHA2Scramble(password: password, nonce: nonce)
        default:
            return nil
        }
    }

    /// `mysql_native_password`: SHA1(password) XOR SHA1(nonce + SHA1(SHA1(password))).
    public static func nativePasswordScramble(password: String, nonce: [UInt8]) -> [UInt8] {
        guard !password.isEmpty else {
            return []
        }
        let stage1 = Array(Insecure.SHA1.hash(data: Array(password.utf8)))
        let stage2 = Array(Insecure.SHA1.hash(data: stage1))
        var hasher = Insecure.SHA1()
        hasher.update(data: Self.nonce20(nonce))
        hasher.update(data: stage2)
        let mask = Array(hasher.finalize())
        return zip(stage1, mask).map { $0 ^ $1 }
    }

    /// `caching_sha2_password`: SHA256(password) XOR SHA256(SHA256(SHA256(password)) + nonce).
    public static func cachingSHA2Scramble(password: String, nonce: [UInt8]) -> [UInt8] {
        guard !password.isEmpty else {
            return []
        }
        let stage1 = Array(SHA256.hash(data: Array(password.utf8)))
        let stage2 = Array(SHA256.hash(data: stage1))
        var hasher = SHA256()
        hasher.update(data: stage2)
        hasher.update(data: Self.nonce20(nonce))
        let mask = Array(hasher.finalize())
        return zip(stage1, mask).map { $0 ^ $1 }
    }

    /// Servers send a 20-byte nonce; anything beyond is padding.
    private static func nonce20(_ nonce: [UInt8]) -> [UInt8] {
        Array(nonce.prefix(20))
    }
}

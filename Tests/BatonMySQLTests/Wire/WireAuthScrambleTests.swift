import Testing

@testable import BatonMySQL

/// Expected values computed with Python's hashlib (see the formulas in MySQLAuthPlugin).
@Suite("Wire auth scrambles")
struct WireAuthScrambleTests {
    struct Vector: Sendable, CustomTestStringConvertible {
        var password: String
        var nonce: [UInt8]
        var native: String
        var sha2: String
        var testDescription: String { "\(self.password) / \(self.nonce.prefix(2))" }
    }

    static let vectors: [Vector] = [
        Vector(
            password: "secret", nonce: Array(1...20),
            native: "b32bb3a583e1340c0a1108d58b1be49781ad8c2f",
            sha2: "746ebe205d56a0707acb3e796e834e0dd7b1d61743b26bd5202c7a623230c7c9"
        ),
        Vector(
            password: "secret", nonce: Array("abcdefghijklmnopqrst".utf8),
            native: "8817c50fa779daef010ee7577825b0847df9842e",
            sha2: "c76e2898612a4cf042c77fa8c4702c4c64c0c2c557c53c4d75595aaa6abae809"
        ),
        Vector(
            password: "pässwörd-ü", nonce: Array(1...20),
            native: "f6fd2e0ab81a3e09dab54c27929c990e1e16e8d4",
            sha2: "3161ec990c2582d6b781bb3c6346ec1f1b18635089833c1138cbe3f94d8e4026"
        ),
        Vector(
            password: "pässwörd-ü", nonce: Array("abcdefghijklmnopqrst".utf8),
            native: "b1e20fda6d4ca5f13b3046ced1a5a7109c7b198c",
            sha2: "132aee0ce7b3bc684c75753535a48feed5f85e5fd46c30009114ef7d86fd9c73"
        ),
    ]

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }

    @Test(arguments: vectors)
    func nativePassword(vector: Vector) {
        #expect(Self.hex(MySQLAuthPlugin.nativePasswordScramble(password: vector.password, nonce: vector.nonce)) == vector.native)
    }

    @Test(arguments: vectors)
    func cachingSHA2Password(vector: Vector) {
        #expect(Self.hex(MySQLAuthPlugin.cachingSHA2Scramble(password: vector.password, nonce: vector.nonce)) == vector.sha2)
    }

    @Test func emptyPasswordGivesEmptyAnswer() {
        #expect(MySQLAuthPlugin.nativePasswordScramble(password: "", nonce: Array(1...20)).isEmpty)
        #expect(MySQLAuthPlugin.cachingSHA2Scramble(password: "", nonce: Array(1...20)).isEmpty)
    }

    @Test func nonceBeyondTwentyBytesIsIgnored() {
        let padded: [UInt8] = Array(1...20) + [0]
        #expect(
            MySQLAuthPlugin.nativePasswordScramble(password: "secret", nonce: padded)
                == MySQLAuthPlugin.nativePasswordScramble(password: "secret", nonce: Array(1...20))
        )
    }

    @Test func unknownPluginHasNoScramble() {
        #expect(MySQLAuthPlugin.scramble(plugin: "client_ed25519", password: "x", nonce: []) == nil)
    }
}

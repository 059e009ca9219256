import Crypto
import Foundation

extension BatonDatabase {
    /// SHA-256 (hex) of a canonical encoding of the replicated tables: downtimes, candidate registrations, global
    /// settings (the recovery switch among them), recoveries, their steps and failure detections, every row with its
    /// id. Two nodes that applied the same log prefix answer the same digest. The watched instances are left out:
    /// each node discovers them in the background, at its own pace.
    public func replicatedStateDigest() throws(StoreError) -> String {
        var state = try replicatedState()
        state.instances = []
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .secondsSince1970
        encoder.dataEncodingStrategy = .base64
        let bytes: Data
        do {
            bytes = try encoder.encode(state)
        } catch {
            throw StoreError(.readFailed, "cannot encode the replicated state", underlying: error)
        }
        return SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }
}

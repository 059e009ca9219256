/// The wire form of messages: a format version byte, a type tag, the header (from, to, term as LEB128 varints),
/// then the payload's fields. Integers are varints, checksums 4 bytes big-endian, booleans one byte (0 or 1), byte
/// strings a varint length and the bytes.
extension RaftMessage {
    /// The format version written and the only one read. Version 2 added the heartbeat's echoed `context`; nodes of
    /// different versions refuse each other's messages, so a group is upgraded all at once.
    public static let wireVersion: UInt8 = 2

    private enum Tag: UInt8 {
        case voteRequest = 1, voteResponse, appendEntries, appendResponse, heartbeat, heartbeatResponse
        case installSnapshot, installSnapshotResponse, timeoutNow
    }

    /// The message's bytes.
    public func encoded() -> [UInt8] {
        var w = RaftWireWriter()
        w.byte(Self.wireVersion)
        switch payload {
        case .voteRequest: w.byte(Tag.voteRequest.rawValue)
        case .voteResponse: w.byte(Tag.voteResponse.rawValue)
        case .appendEntries: w.byte(Tag.appendEntries.rawValue)
        case .appendResponse: w.byte(Tag.appendResponse.rawValue)
        case .heartbeat: w.byte(Tag.heartbeat.rawValue)
        case .heartbeatResponse: w.byte(Tag.heartbeatResponse.rawValue)
        case .installSnapshot: w.byte(Tag.installSnapshot.rawValue)
        case .installSnapshotResponse: w.byte(Tag.installSnapshotResponse.rawValue)
        case .timeoutNow: w.byte(Tag.timeoutNow.rawValue)
        }
        w.varint(from.rawValue)
        w.varint(to.rawValue)
        w.varint(term)
        switch payload {
        case .voteRequest(let m):
            w.position(m.lastLog)
            w.bool(m.preVote)
            w.bool(m.transfer)
        case .voteResponse(let m):
            w.bool(m.granted)
            w.bool(m.preVote)
        case .appendEntries(let m):
            w.position(m.previous)
            w.varint(m.commit)
            w.varint(UInt64(m.entries.count))
            for entry in m.entries { w.entry(entry) }
        case .appendResponse(let m):
            w.bool(m.success)
            w.varint(m.index)
            w.position(m.hint)
        case .heartbeat(let m):
            w.varint(m.commit)
            w.varint(m.context)
        case .heartbeatResponse(let m):
            w.varint(m.context)
        case .timeoutNow:
            break
        case .installSnapshot(let m):
            w.varint(m.metadata.index)
            w.varint(m.metadata.term)
            w.membership(m.metadata.membership)
            w.varint(m.totalSize)
            w.uint32(m.checksum)
            w.varint(m.offset)
            w.data(m.chunk)
            w.uint32(m.chunkChecksum)
        case .installSnapshotResponse(let m):
            w.varint(m.snapshotIndex)
            w.varint(m.nextOffset)
            w.bool(m.done)
            w.varint(m.index)
        }
        return w.bytes
    }

    /// Decodes a message; throws on anything that is not exactly one well-formed message of a known version.
    public init(decoding bytes: [UInt8]) throws(RaftWireError) {
        var r = RaftWireReader(bytes)
        let version = try r.byte()
        guard version == Self.wireVersion else {
            throw RaftWireError(.unsupportedVersion, "message format version \(version)")
        }
        let rawTag = try r.byte()
        guard let tag = Tag(rawValue: rawTag) else { throw RaftWireError(.invalidValue, "message type \(rawTag)") }
        let from = RaftNodeID(try r.varint())
        let to = RaftNodeID(try r.varint())
        let term = try r.varint()
        let payload: Payload
        switch tag {
        case .voteRequest:
            let lastLog = try r.position()
            let preVote = try r.bool()
            payload = .voteRequest(.init(lastLog: lastLog, preVote: preVote, transfer: try r.bool()))
        case .voteResponse:
            let granted = try r.bool()
            payload = .voteResponse(.init(granted: granted, preVote: try r.bool()))
        case .appendEntries:
            let previous = try r.position()
            let commit = try r.varint()
            let n = try r.count(minimumItemSize: 4)
            var entries: [RaftEntry] = []
            entries.reserveCapacity(n)
            for _ in 0..<n { entries.append(try r.entry()) }
            payload = .appendEntries(.init(previous: previous, entries: entries, commit: commit))
        case .appendResponse:
            let success = try r.bool()
            let index = try r.varint()
            payload = .appendResponse(.init(success: success, index: index, hint: try r.position()))
        case .heartbeat:
            let commit = try r.varint()
            payload = .heartbeat(.init(commit: commit, context: try r.varint()))
        case .heartbeatResponse:
            payload = .heartbeatResponse(.init(context: try r.varint()))
        case .timeoutNow:
            payload = .timeoutNow
        case .installSnapshot:
            let index = try r.varint()
            let snapshotTerm = try r.varint()
            let membership = try r.membership()
            let totalSize = try r.varint()
            let checksum = try r.uint32()
            let offset = try r.varint()
            let chunk = try r.data()
            payload = .installSnapshot(
                .init(
                    metadata: RaftSnapshotMetadata(index: index, term: snapshotTerm, membership: membership),
                    totalSize: totalSize, checksum: checksum, offset: offset, chunk: chunk,
                    chunkChecksum: try r.uint32()))
        case .installSnapshotResponse:
            let snapshotIndex = try r.varint()
            let nextOffset = try r.varint()
            let done = try r.bool()
            payload = .installSnapshotResponse(
                .init(snapshotIndex: snapshotIndex, nextOffset: nextOffset, done: done, index: try r.varint()))
        }
        try r.finish()
        self.init(from: from, to: to, term: term, payload: payload)
    }
}

extension RaftMembership {
    /// The configuration's bytes, as stored in `.membership` entries: a version byte, then the members.
    public func encoded() -> [UInt8] {
        var w = RaftWireWriter()
        w.byte(RaftMessage.wireVersion)
        w.membership(self)
        return w.bytes
    }

    /// Decodes ``encoded()``; throws on malformed bytes.
    public init(decoding bytes: [UInt8]) throws(RaftWireError) {
        var r = RaftWireReader(bytes)
        let version = try r.byte()
        guard version == RaftMessage.wireVersion else {
            throw RaftWireError(.unsupportedVersion, "membership format version \(version)")
        }
        self = try r.membership()
        try r.finish()
    }
}

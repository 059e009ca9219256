import BatonRaft
import Testing

@Suite struct RaftWireCodecTests {
    static let membership = RaftMembership([
        RaftMember(id: 1, address: "10.0.0.1:10008"), RaftMember(id: 7, address: "b.example:1", role: .learner),
    ])

    static let messages: [RaftMessage] = [
        .init(from: 1, to: 2, term: 3, payload: .voteRequest(.init(lastLog: .init(index: 9, term: 2), preVote: true, transfer: false))),
        .init(from: 1, to: 2, term: 3, payload: .voteRequest(.init(lastLog: .init(index: 9, term: 2), preVote: false, transfer: true))),
        .init(from: 2, to: 1, term: 3, payload: .voteResponse(.init(granted: true, preVote: false))),
        .init(
            from: 1, to: 3, term: .max,
            payload: .appendEntries(
                .init(
                    previous: .init(index: 4, term: 1),
                    entries: [
                        RaftEntry(index: 5, term: 3, kind: .command, data: [0, 1, 255]),
                        RaftEntry(index: 6, term: 3, kind: .noop),
                        RaftEntry(index: 7, term: 3, kind: .membership, data: membership.encoded()),
                    ], commit: 4))),
        .init(from: 3, to: 1, term: 3, payload: .appendResponse(.init(success: false, index: 4, hint: .init(index: 2, term: 1)))),
        .init(from: 1, to: 3, term: 3, payload: .heartbeat(.init(commit: 1 << 40))),
        .init(from: 3, to: 1, term: 3, payload: .heartbeatResponse(.init(context: 77))),
        .init(
            from: 1, to: 4, term: 3,
            payload: .installSnapshot(
                .init(
                    metadata: .init(index: 100, term: 3, membership: membership), totalSize: 10, checksum: 0xDEAD_BEEF,
                    offset: 4, chunk: [9, 8, 7], chunkChecksum: CRC32C.checksum([9, 8, 7])))),
        .init(from: 4, to: 1, term: 3, payload: .installSnapshotResponse(.init(snapshotIndex: 100, nextOffset: 7, done: false, index: 3))),
        .init(from: 1, to: 2, term: 3, payload: .timeoutNow),
    ]

    @Test(arguments: messages.indices)
    func everyMessageRoundTrips(_ i: Int) throws {
        let message = Self.messages[i]
        let bytes = message.encoded()
        #expect(bytes.first == RaftMessage.wireVersion)
        #expect(try RaftMessage(decoding: bytes) == message)
    }

    @Test func malformedInputIsRejectedWithAnError() {
        let valid = Self.messages[3].encoded()
        let v = RaftMessage.wireVersion
        let cases: [([UInt8], RaftWireError.Code)] = [
            ([], .truncated),
            ([v + 1] + valid.dropFirst(), .unsupportedVersion),
            ([v, 99, 1, 2, 3], .invalidValue),
            (Array(valid.prefix(3)), .truncated),
            (Array(valid.dropLast()), .overflow),  // the last length now exceeds what is left
            (valid + [0], .trailingBytes),
            ([v, 6, 1, 2] + Array(repeating: 0xFF, count: 11), .overflow),  // a varint longer than 64 bits
            ([v, 2, 1, 2, 3, 7, 0], .invalidValue),  // a boolean that is neither 0 nor 1
            ([v, 3, 1, 2, 3, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F], .overflow),  // 4 billion entries in 0 bytes
        ]
        for (bytes, code) in cases {
            #expect {
                try RaftMessage(decoding: bytes)
            } throws: { ($0 as? RaftWireError)?.code == code }
        }
    }

    /// Seeded random garbage, and valid messages with random damage: the decoder throws or returns a message, and
    /// never traps.
    @Test func fuzzDecoderWithSeededRandomBytes() {
        var random = RaftRandom(seed: 0xBA70)
        var decoded = 0
        var rejected = 0
        for round in 0..<20_000 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                bytes = (0..<Int(random.next() % 48)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
                if round % 4 == 0 && !bytes.isEmpty { bytes[0] = RaftMessage.wireVersion }
            } else {
                bytes = Self.messages[Int(random.next() % UInt64(Self.messages.count))].encoded()
                for _ in 0..<(1 + Int(random.next() % 3)) {
                    switch random.next() % 3 {
                    case 0: bytes[Int(random.next() % UInt64(bytes.count))] ^= UInt8(truncatingIfNeeded: random.next() | 1)
                    case 1: bytes.removeLast(Int(random.next() % UInt64(bytes.count)))
                    default: bytes.append(UInt8(truncatingIfNeeded: random.next()))
                    }
                    if bytes.isEmpty { bytes = [1] }
                }
            }
            do {
                let message = try RaftMessage(decoding: bytes)
                decoded += 1
                // Whatever decodes must survive its own round trip.
                #expect(try RaftMessage(decoding: message.encoded()) == message)
            } catch {
                rejected += 1
            }
        }
        #expect(decoded > 100)
        #expect(rejected > 10_000)
    }

    @Test func membershipDecoderRejectsGarbage() {
        #expect(throws: RaftWireError.self) { try RaftMembership(decoding: [1, 1, 5, 2, 0xC3, 0x28, 0]) }  // not UTF-8
        #expect(throws: RaftWireError.self) { try RaftMembership(decoding: [1, 1, 5, 0, 9]) }  // role 9
        #expect(throws: RaftWireError.self) { try RaftMembership(decoding: [0]) }
    }

    @Test func crc32cMatchesTheStandardCheckValue() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([]) == 0)
        let whole = CRC32C.checksum(Array("hello world".utf8))
        let chained = CRC32C.checksum(Array(" world".utf8), continuing: CRC32C.checksum(Array("hello".utf8)))
        #expect(whole == chained)
    }
}

/// Well-formed messages with nonsense in them must not harm a node.
@Suite struct RaftHostileMessageTests {
    @Test func nonsenseMessagesAreIgnored() throws {
        let cluster = RaftStateMachineCluster([1, 2, 3])
        cluster.campaign(1)
        let before = cluster[2].status
        let hostile: [RaftMessage.Payload] = [
            .appendEntries(.init(previous: cluster[2].lastLogPosition, entries: [RaftEntry(index: 100, term: 2)], commit: 0)),
            .appendEntries(.init(previous: .init(index: .max - 1, term: 1), entries: [RaftEntry(index: .max, term: 1)], commit: .max)),
            .appendResponse(.init(success: true, index: .max)),
            .installSnapshotResponse(.init(snapshotIndex: .max, nextOffset: .max, done: true, index: .max)),
        ]
        for payload in hostile {
            cluster[2].step(RaftMessage(from: 1, to: 2, term: before.term, payload: payload))
            cluster[1].step(RaftMessage(from: 2, to: 1, term: before.term, payload: payload))
        }
        cluster[2].step(RaftMessage(from: 1, to: 2, term: .max, payload: .heartbeat(.init(commit: 0))))
        #expect(cluster[2].lastLogPosition == before.lastLog)
        #expect(cluster[2].currentTerm == before.term)
        cluster.queue.removeAll()
        cluster.tickAll(3)
        #expect(cluster.leaders == [1])
        try cluster.propose(1, "still fine")
        #expect(cluster.appliedStrings(2) == ["still fine"])
    }
}

/// Keeps the first and the last `limit` bytes of a stream of any length.
struct BoundedOutput {
    let limit: Int
    private var head: [UInt8] = []
    private var tail: [UInt8] = []
    private(set) var totalBytes = 0

    init(limit: Int) {
        self.limit = max(limit, 1)
        head.reserveCapacity(min(self.limit, 1 << 16))
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        totalBytes += bytes.count
        var rest = bytes[...]
        if head.count < limit {
            let count = min(limit - head.count, rest.count)
            head.append(contentsOf: rest.prefix(count))
            rest = rest.dropFirst(count)
        }
        guard !rest.isEmpty else { return }
        if rest.count >= limit {
            tail = Array(rest.suffix(limit))
        } else {
            tail.append(contentsOf: rest)
            if tail.count > limit { tail.removeFirst(tail.count - limit) }
        }
    }

    var captured: CapturedOutput {
        let omitted = totalBytes - head.count - tail.count
        guard omitted > 0 else {
            return CapturedOutput(text: String(decoding: head + tail, as: UTF8.self), totalBytes: totalBytes)
        }
        let text = String(decoding: head, as: UTF8.self)
            + "\n[… \(omitted) bytes of output omitted …]\n"
            + String(decoding: tail, as: UTF8.self)
        return CapturedOutput(text: text, totalBytes: totalBytes, isTruncated: true)
    }
}

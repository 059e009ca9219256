/// The faults a simulated server shows on its client connections.
public struct SimulatedFaults: Sendable, Hashable, Codable {
    /// Accepts connections and commands but never answers.
    public var hang = false
    /// Every answer (greeting included) is sent this late.
    public var delayMilliseconds = 0
    /// Result sets stop after the column definitions and the first row, and the connection closes.
    public var partialAnswers = false
    /// The next answer of every connection (greeting included) is random bytes.
    public var garbage = false

    public init(hang: Bool = false, delayMilliseconds: Int = 0, partialAnswers: Bool = false, garbage: Bool = false) {
        self.hang = hang
        self.delayMilliseconds = delayMilliseconds
        self.partialAnswers = partialAnswers
        self.garbage = garbage
    }

    public var isEmpty: Bool { self == SimulatedFaults() }
}

/// Chooses the API server to talk to from the answers of each one to `leader-check`.
public enum LeaderSelection {
    /// What one server answered to `leader-check`.
    public enum Answer: Sendable {
        /// It answered with this HTTP status (200 on the leader, 404 elsewhere).
        case status(Int)
        /// It did not answer: refused, timed out, …
        case failed(BatonAPIError)
    }

    /// The first URL, in the order given, that answered HTTP 200.
    /// - Throws: ``BatonAPIError`` `noLeader`, naming every URL tried and what it answered.
    public static func choose(from answers: [(url: APIBaseURL, answer: Answer)]) throws -> APIBaseURL {
        if let leader = answers.first(where: { if case .status(200) = $0.answer { true } else { false } }) {
            return leader.url
        }
        let tried = answers.map { "\($0.url.url) (\(summary(of: $0.answer)))" }.joined(separator: ", ")
        throw BatonAPIError(
            code: .noLeader,
            message: "no API server answered as leader; tried \(tried.isEmpty ? "no URL" : tried)")
    }

    private static func summary(of answer: Answer) -> String {
        switch answer {
        case .status(404): "not the leader"
        case .status(let status): "HTTP \(status)"
        case .failed(let error) where error.code == .timeout: "timed out"
        case .failed(let error) where error.code == .unreachable:
            // "cannot reach the API at URL: reason" → "reason"
            error.message.split(separator: ": ", maxSplits: 1).last.map(String.init) ?? error.message
        case .failed(let error): error.message
        }
    }
}

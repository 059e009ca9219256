import BatonClient
import Testing

@Suite struct LeaderSelectionTests {
    let a = try! APIBaseURL(parsing: "http://a:3000")
    let b = try! APIBaseURL(parsing: "http://b:3000")
    let c = try! APIBaseURL(parsing: "http://c:3000")

    @Test func choosesTheFirstThatAnswers200InTheGivenOrder() throws {
        let chosen = try LeaderSelection.choose(from: [(a, .status(404)), (b, .status(200)), (c, .status(200))])
        #expect(chosen == b)
    }

    @Test func skipsServersThatDidNotAnswer() throws {
        let refused = BatonAPIError(code: .unreachable, message: "cannot reach the API at x: connection refused")
        let chosen = try LeaderSelection.choose(from: [(a, .failed(refused)), (b, .status(500)), (c, .status(200))])
        #expect(chosen == c)
    }

    @Test func noLeaderNamesEveryURLTriedAndWhatItAnswered() {
        let timeout = BatonAPIError(code: .timeout, message: "the API at x did not answer within 1s")
        let refused = BatonAPIError(
            code: .unreachable, message: "cannot reach the API at http://c:3000/api/leader-check: connection refused")
        #expect {
            try LeaderSelection.choose(from: [(a, .status(404)), (b, .failed(timeout)), (c, .failed(refused))])
        } throws: { error in
            guard let error = error as? BatonAPIError else { return false }
            return error.code == .noLeader
                && error.message == "no API server answered as leader; tried http://a:3000/api (not the leader), "
                    + "http://b:3000/api (timed out), http://c:3000/api (connection refused)"
        }
    }
}

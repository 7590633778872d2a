@testable import BoxOfficeRPC
import Testing

/// The race between a connection attempt and the call's deadline (`GRPCChannel.race`).
@Suite("Client connect-versus-deadline race")
struct ClientConnectDeadlineRaceTests {
    private struct Refused: Error {}

    /// An attempt that ends long before the deadline decides the outcome every time: the deadline
    /// timer, cancelled once the attempt is in, must never answer instead (it once could, when
    /// the cancelled timer ran before the attempt's result was handed on).
    @Test func anAttemptThatEndsFirstAlwaysWins() async {
        var deadlineAnswers = 0
        for _ in 0..<2_000 {
            let attempt = Task<ClientConnection, any Error> { throw Refused() }
            let result = await GRPCChannel.race(attempt, deadline: .now + .seconds(60))
            if case .failure(let error) = result, !(error is Refused) { deadlineAnswers += 1 }
        }
        #expect(deadlineAnswers == 0)
    }
}

import BoxOfficeRPC
import Foundation
import Synchronization

/// Where every call of a drop is recorded: latency and outcome per method, the client history
/// (when a ``HistoryWriter`` is given) and the counters the progress line shows.
///
/// Thread-safe; shared by all shoppers.
final class DropRecorder: Sendable {
    private struct State {
        var calls: [HistoryOperation: CallStatistics] = [:]
        var outcomes: [ShopperOutcome: Int] = [:]
        var started = 0
        var admitted = 0
        var held = 0
        var checkouts = 0
        var checkoutAnswers: [String: Int] = [:]
        var firstAdmission: Duration?
    }

    /// When the drop started, on the monotonic clock and the wall clock.
    let origin: ContinuousClock.Instant
    private let wallOrigin: Date
    private let history: HistoryWriter?
    private let state = Mutex(State())

    init(history: HistoryWriter?) {
        origin = .now
        wallOrigin = Date()
        self.history = history
    }

    /// Time since the drop started.
    var elapsed: Duration { .now - origin }

    /// Runs `call` as `op` by `user`, recording its latency and outcome; `request` fills in what was
    /// sent, `answer` what came back. Rethrows the call's error.
    func observe<Answer: Sendable>(
        _ op: HistoryOperation, user: String, request: (inout HistoryRecord) -> Void = { _ in },
        answer: (Answer, inout HistoryRecord) -> Void = { _, _ in },
        _ call: () async throws -> Answer
    ) async throws -> Answer {
        let start = ContinuousClock.now
        let result: Result<Answer, any Error>
        do {
            result = .success(try await call())
        } catch {
            result = .failure(error)
        }
        let end = ContinuousClock.now
        var record = HistoryRecord(user: user, op: op, start: wallTime(start), end: wallTime(end), outcome: .ok)
        request(&record)
        switch result {
        case .success(let value):
            answer(value, &record)
        case .failure(let error):
            record.outcome = HistoryOutcome(error: error)
            if let rpcError = error as? RPCError {
                record.code = rpcError.code.statusName
                record.message = rpcError.message
            } else {
                record.code = "CLIENT_ERROR"
                record.message = "\(error)"
            }
        }
        let milliseconds = (end - start).milliseconds
        state.withLock { state in
            state.calls[op, default: CallStatistics()].record(outcome: record.outcome, code: record.code,
                                                              milliseconds: milliseconds)
        }
        history?.append(record)
        return try result.get()
    }

    private func wallTime(_ instant: ContinuousClock.Instant) -> Double {
        ((wallOrigin.timeIntervalSince1970 + (instant - origin).seconds) * 1000).rounded() / 1000
    }

    // MARK: Shopper milestones

    func shopperStarted() { state.withLock { $0.started += 1 } }
    func shopperAdmitted() {
        let now = elapsed
        state.withLock { state in
            state.admitted += 1
            if state.firstAdmission == nil { state.firstAdmission = now }
        }
    }
    func shopperHeld() { state.withLock { $0.held += 1 } }
    func checkoutAnswered(_ status: String) {
        state.withLock { state in
            state.checkouts += 1
            state.checkoutAnswers[status, default: 0] += 1
        }
    }
    func shopperFinished(_ outcome: ShopperOutcome) { state.withLock { $0.outcomes[outcome, default: 0] += 1 } }

    /// The counters for the progress line.
    var progress: CrowdProgress {
        state.withLock { state in
            CrowdProgress(started: state.started, finished: state.outcomes.values.reduce(0, +), admitted: state.admitted,
                          held: state.held, confirmed: state.outcomes[.confirmed] ?? 0,
                          calls: state.calls.values.reduce(0) { $0 + $1.calls })
        }
    }

    /// Everything recorded, for the report.
    var snapshot: (calls: [HistoryOperation: CallStatistics], outcomes: [ShopperOutcome: Int], admitted: Int, held: Int,
                   checkoutAnswers: [String: Int], firstAdmission: Duration?) {
        state.withLock { ($0.calls, $0.outcomes, $0.admitted, $0.held, $0.checkoutAnswers, $0.firstAdmission) }
    }
}

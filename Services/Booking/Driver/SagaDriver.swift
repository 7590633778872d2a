import BoxOfficeRPC
import Foundation
public import Logging
import Synchronization

/// Drives booking sagas: feeds events to ``BookingSaga``, persists every change (conditionally on
/// the version read) *before* acting, then performs the actions — calls to inventory and payment,
/// whose answers are fed back, and wake-ups.
///
/// Calls and timers run in detached tasks the driver tracks (they never inherit the deadline of the
/// RPC that started them); ``shutdown()`` cancels them. A call cut short by a crash or a shutdown is
/// repeated by ``resumeAll()`` at the next start, or by ``fireDueTimers()`` once it is presumed lost.
/// Thread-safe.
public final class SagaDriver: Sendable {
    /// The store sagas live in.
    public let store: BookingStore
    /// The policy every transition uses.
    public let policy: SagaPolicy
    let caller: SagaCaller
    let crashPoints: CrashPoints
    let clock: @Sendable () -> SagaInstant
    let logger: Logger
    let observers = SagaObservers()
    /// Wake-ups further away than this are left to the recovery worker's scan.
    let inProcessTimerHorizon: Duration
    private let tasks = Mutex(TrackedWork())

    /// The detached work in flight, and which bookings have a call in flight in this process.
    private struct TrackedWork {
        var next = 0
        var running: [Int: Task<Void, Never>] = [:]
        var closed = false
        /// Calls in flight per booking: their timers are left alone until the call answers (every
        /// call carries a deadline, so it always does), instead of repeating a call still running.
        var callsInFlight: [String: Int] = [:]
    }

    /// Creates a driver.
    ///
    /// - Parameters:
    ///   - clock: the wall clock (tests may pass another).
    ///   - inProcessTimerHorizon: wake-ups due within this are timed in-process; later ones are found
    ///     by the recovery worker.
    ///   - holdHealth: records the latency and failures of every hold call (for waiting rooms whose
    ///     admission rate follows inventory's health).
    public init(store: BookingStore, peers: BookingPeers, policy: SagaPolicy = SagaPolicy(),
                crashPoints: CrashPoints = .fromEnvironment, inProcessTimerHorizon: Duration = .seconds(120),
                holdHealth: DownstreamHealthTracker? = nil,
                clock: @escaping @Sendable () -> SagaInstant = SagaInstant.wallClock, logger: Logger) {
        self.store = store
        self.policy = policy
        self.caller = SagaCaller(peers: peers, crashPoints: crashPoints, holdHealth: holdHealth)
        self.crashPoints = crashPoints
        self.clock = clock
        self.inProcessTimerHorizon = inProcessTimerHorizon
        self.logger = logger
    }

    // MARK: Starting and feeding

    /// Starts the saga of a new booking, already stored by ``BookingStore/create(_:claim:)`` with the
    /// actions `BookingSaga.start` returned.
    public func started(_ record: BookingRecord, actions: [SagaAction]) {
        observers.publish(record)
        perform(actions, for: record)
    }

    /// Applies `event` to the booking's saga, persists and acts.
    ///
    /// - Returns: the booking after the event (unchanged for harmless news), or nil when unknown.
    /// - Throws: ``SagaRejection`` when the saga refuses the event (nothing changed), or a store error.
    @discardableResult
    public func feed(_ bookingId: String, _ event: SagaEvent,
                     update: @Sendable (inout BookingRecord) -> Void = { _ in }) async throws -> BookingRecord? {
        try await transition(bookingId, label: event.description) { record, now in
            update(&record)
            return try record.saga.handle(event, now: now, policy: self.policy)
        }
    }

    /// Continues a saga after a start: in-flight calls of a dead process are repeated at once.
    @discardableResult
    public func resume(_ bookingId: String) async throws -> BookingRecord? {
        try await transition(bookingId, label: "resume") { record, now in
            try record.saga.resume(now: now, policy: self.policy)
        }
    }

    /// Resumes every non-terminal saga (at start-up). Returns how many were resumed.
    @discardableResult
    public func resumeAll() async throws -> Int {
        var count = 0
        for id in try await store.dueSagas(at: nil, limit: 100_000) {
            do {
                try await resume(id)
                count += 1
            } catch {
                logger.error("could not resume saga", metadata: ["booking.id": "\(id)", "error": "\(error)"])
            }
        }
        return count
    }

    /// Feeds ``SagaEvent/timerFired`` to every saga whose wake-up is due: expired holds, retries,
    /// polls, calls presumed lost. The recovery worker's round. Returns how many were due.
    @discardableResult
    public func fireDueTimers(limit: Int = 1_000) async throws -> Int {
        let due = try await store.dueSagas(at: clock().date, limit: limit)
        for id in due where !hasCallInFlight(id) {
            do {
                try await feed(id, .timerFired)
            } catch {
                logger.warning("due saga refused its timer", metadata: ["booking.id": "\(id)", "error": "\(error)"])
            }
        }
        return due.count
    }

    /// Waits until the booking satisfies `predicate` or `timeout` passes; returns the booking as
    /// last seen (nil when unknown).
    public func waitFor(_ bookingId: String, timeout: Duration,
                        until predicate: @escaping @Sendable (BookingRecord) -> Bool) async throws -> BookingRecord? {
        guard timeout > .zero else { return try await store.load(bookingId) }
        let subscription = observers.subscribe(to: bookingId, timeout: timeout)
        guard let current = try await store.load(bookingId) else {
            subscription.finish()
            return nil
        }
        if predicate(current) {
            subscription.finish()
            return current
        }
        if let reached = await subscription.first(where: predicate) { return reached }
        return try await store.load(bookingId)
    }

    /// Cancels every call and timer in flight and waits for them; later actions are dropped.
    public func shutdown() async {
        let running = tasks.withLock { state in
            state.closed = true
            return Array(state.running.values)
        }
        for task in running { task.cancel() }
        for task in running { await task.value }
    }

    // MARK: Internals

    /// Load, change, persist conditionally, retry on a lost race; then publish and act.
    private func transition(
        _ bookingId: String, label: String,
        _ change: @Sendable (inout BookingRecord, SagaInstant) throws -> SagaTransition
    ) async throws -> BookingRecord? {
        for _ in 0..<20 {
            guard var record = try await store.load(bookingId) else { return nil }
            let before = record
            let transition = try change(&record, clock())
            guard transition.mustPersist || record != before else {
                perform(transition.actions, for: record)
                return record
            }
            guard try await store.save(record, expectedVersion: before.saga.version, event: label) else {
                continue  // another writer moved the saga: apply the event to its version
            }
            if record.saga.step != before.saga.step {
                logger.debug("saga moved", metadata: [
                    "booking.id": "\(bookingId)", "saga.from": "\(before.saga.step)", "saga.to": "\(record.saga.step)",
                    "saga.event": "\(label)",
                ])
            }
            observers.publish(record)
            if record.saga.step == .confirming && before.saga.step != .confirming {
                crashPoints.reach(.afterCapturedBeforeConfirm)
            }
            perform(transition.actions, for: record)
            return record
        }
        throw RPCError(code: .aborted, message: "booking \(bookingId) is changing too fast; retry")
    }

    private func perform(_ actions: [SagaAction], for record: BookingRecord) {
        let bookingId = record.id
        for action in actions {
            switch action {
            case .call(let call):
                tasks.withLock { $0.callsInFlight[bookingId, default: 0] += 1 }
                spawn(onDrop: { [self] in callEnded(bookingId) }) { [self] in
                    let outcome = await caller.perform(call, now: clock())
                    callEnded(bookingId)
                    guard !Task.isCancelled else { return }
                    do {
                        try await feed(bookingId, outcome.event) { record in
                            if let seats = outcome.seats { record.seats = seats }
                            if let paymentId = outcome.paymentId, !paymentId.isEmpty { record.paymentId = paymentId }
                        }
                    } catch {
                        logger.warning("saga refused a call's answer", metadata: [
                            "booking.id": "\(bookingId)", "saga.call": "\(call.kind)", "error": "\(error)",
                        ])
                    }
                }
            case .wakeUp(let at):
                let delay = clock().duration(to: at)
                guard delay <= inProcessTimerHorizon else { continue }
                spawn { [self] in
                    if delay > .zero {
                        do { try await Task.sleep(for: delay) } catch { return }
                    }
                    do {
                        try await feed(bookingId, .timerFired)
                    } catch {
                        logger.warning("saga refused its timer", metadata: ["booking.id": "\(bookingId)", "error": "\(error)"])
                    }
                }
            }
        }
    }

    private func hasCallInFlight(_ bookingId: String) -> Bool {
        tasks.withLock { $0.callsInFlight[bookingId, default: 0] > 0 }
    }

    private func callEnded(_ bookingId: String) {
        tasks.withLock { state in
            let left = state.callsInFlight[bookingId, default: 0] - 1
            state.callsInFlight[bookingId] = left > 0 ? left : nil
        }
    }

    /// Runs `work` detached (no inherited RPC deadline) and tracked until it ends; after
    /// ``shutdown()`` the work is dropped and `onDrop` runs instead.
    private func spawn(onDrop: @Sendable () -> Void = {}, _ work: @escaping @Sendable () async -> Void) {
        let dropped = tasks.withLock { state -> Bool in
            guard !state.closed else { return true }
            let id = state.next
            state.next += 1
            state.running[id] = Task.detached { [self] in
                await work()
                _ = tasks.withLock { $0.running.removeValue(forKey: id) }
            }
            return false
        }
        if dropped { onDrop() }
    }
}

import BoxOfficeAPI
import BoxOfficeProto
import BoxOfficeRPC
import Foundation
public import Logging

/// Runs a ticket drop against a running cluster: creates the event, sends the crowd through the
/// waiting room, holds and checkout (at most ``DropConfiguration/concurrency`` shoppers at once),
/// waits for pending payments and live holds to settle, then audits the databases.
public struct DropRunner: Sendable {
    /// Where the drop goes.
    public let target: DropTarget
    /// How it behaves.
    public let configuration: DropConfiguration
    /// Receives a progress line every ``progressInterval`` (and the last one at the end); nil for none.
    public var onProgress: (@Sendable (String) -> Void)?
    /// How often ``onProgress`` is called.
    public var progressInterval: Duration = .seconds(1)
    /// The client history, when one is written; the runner appends, the caller closes it.
    public var history: HistoryWriter?
    private let logger: Logger

    /// A drop of `configuration` against `target`.
    public init(target: DropTarget, configuration: DropConfiguration, logger: Logger = Logger(label: "boxoffice.drop")) {
        self.target = target
        self.configuration = configuration
        self.logger = logger
    }

    /// Runs the drop and returns its report; the report says whether the checks passed.
    ///
    /// - Throws: ``DropConfigurationError`` for bad settings, an `RPCError` when the event cannot be
    ///   created, a `PostgresError` when the databases cannot be read. Cancelling the task stops the crowd.
    public func run() async throws -> DropReport {
        try configuration.validate()
        let venue = configuration.venue
        let recorder = DropRecorder(history: history)
        let clients = DropClients(target: target, concurrency: configuration.concurrency)
        let reader = DropAuditReader(target: target, logger: logger)
        do {
            let report = try await run(venue: venue, recorder: recorder, clients: clients, reader: reader)
            await clients.close()
            await reader.shutdown()
            return report
        } catch {
            await clients.close()
            await reader.shutdown()
            throw error
        }
    }

    private func run(venue: VenuePlan, recorder: DropRecorder, clients: DropClients,
                     reader: DropAuditReader) async throws -> DropReport {
        let runID = Self.makeRunID()
        let (event, saleOpensAt) = try await createEvent(venue: venue, runID: runID, clients: clients, recorder: recorder)
        logger.debug("event created", metadata: ["drop.event": "\(event)", "drop.run": "\(runID)"])
        let monitor = SellOutMonitor(eventID: event, capacity: venue.capacity)
        let driver = ShopperDriver(clients: clients, recorder: recorder, monitor: monitor, eventID: event,
                                   configuration: configuration)
        let line = ProgressLine(users: configuration.users)

        let crowdStart = recorder.elapsed
        let crowdEnd: Duration = await withTaskGroup(of: Void.self) { background in
            background.addTask { await self.watch(monitor: monitor, clients: clients, recorder: recorder) }
            if let onProgress {
                background.addTask { await self.report(every: progressInterval, line: line, recorder: recorder, monitor: monitor, to: onProgress) }
            }
            await runCrowd(venue: venue, runID: runID, driver: driver)
            let end = recorder.elapsed
            await settle(event: event, reader: reader, monitor: monitor, clients: clients, recorder: recorder)
            background.cancelAll()
            return end
        }
        await monitor.poll(clients: clients, recorder: recorder, timeout: configuration.callTimeout)
        if let onProgress {
            onProgress(line.render(elapsed: recorder.elapsed, crowd: recorder.progress, inventory: monitor.counts, callsPerSecond: 0))
        }

        let interrupted = Task.isCancelled
        let audit = try await reader.read(event: event)
        let snapshot = recorder.snapshot
        let crowdSeconds = max((crowdEnd - crowdStart).seconds, 0.001)
        let totalCalls = snapshot.calls.values.reduce(0) { $0 + $1.calls }
        var report = DropReport(
            eventID: event, users: configuration.users, concurrency: configuration.concurrency, seats: venue.seatCount,
            generalAdmission: venue.generalAdmissionCapacity, holdTTLSeconds: configuration.holdTTL.seconds, seed: configuration.seed,
            checkoutMix: configuration.checkoutMix.description, durationSeconds: recorder.elapsed.seconds,
            crowdSeconds: crowdSeconds, timeToSellOutSeconds: monitor.goneAt.map { max(0, ($0 - saleOpensAt).seconds) },
            timeToLastSaleSeconds: monitor.soldOutAt.map { max(0, ($0 - saleOpensAt).seconds) },
            shoppers: Dictionary(uniqueKeysWithValues: snapshot.outcomes.map { ($0.key.rawValue, $0.value) }),
            admitted: snapshot.admitted, held: snapshot.held, checkoutAnswers: snapshot.checkoutAnswers,
            calls: Dictionary(uniqueKeysWithValues: snapshot.calls.map { ($0.key.rawValue, $0.value.summary) }),
            totalCalls: totalCalls, callsPerSecond: Double(totalCalls) / crowdSeconds, audit: audit.summary,
            historyFile: history?.url.path, historyRecords: history?.count)
        report.interrupted = interrupted
        return report
    }

    /// `drop-<time>-<random>`: unique per run, so shoppers and idempotency keys never collide with
    /// an earlier drop on the same cluster.
    static func makeRunID() -> String {
        let time = String(UInt64(Date().timeIntervalSince1970), radix: 36)
        let random = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        return "drop-\(time)-\(random)"
    }

    private func createEvent(venue: VenuePlan, runID: String, clients: DropClients,
                             recorder: DropRecorder) async throws -> (Int64, Duration) {
        var request = Boxoffice_Inventory_V1_CreateEventRequest()
        request.name = configuration.eventName
        request.venue = "Simulated arena"
        let now = Date()
        request.startsAt = Google_Protobuf_Timestamp(date: now.addingTimeInterval(30 * 86_400))
        request.saleStartsAt = Google_Protobuf_Timestamp(date: now.addingTimeInterval(configuration.saleOpensAfter.seconds))
        request.holdTtl = Google_Protobuf_Duration(configuration.holdTTL)
        request.maxTicketsPerHolder = Int32(configuration.maxTicketsPerUser)
        request.seatMap = venue.seatMap
        request.idempotencyKey = runID
        request.labels = [
            "admission_rate_per_second": String(configuration.admissionRatePerSecond),
            "admission_batch_size": String(configuration.admissionBatchSize),
            "drop_run": runID,
        ]
        // The cluster may still be coming up: wait for it, within a bound.
        let answer = try await recorder.observe(.createEvent, user: "drop", request: { $0.key = runID },
                                                answer: { answer, record in record.event = answer.event?.id }) {
            try await clients.inventory.createEvent(request, options: CallOptions(timeout: .seconds(60), waitForReady: true))
        }
        guard let event = answer.event, event.id > 0 else {
            throw RPCError(code: .internal, message: "CreateEvent answered without an event")
        }
        return (event.id, recorder.elapsed + configuration.saleOpensAfter)
    }

    /// Starts shoppers as slots free up, never more than `concurrency` at once.
    private func runCrowd(venue: VenuePlan, runID: String, driver: ShopperDriver) async {
        let configuration = self.configuration
        await withTaskGroup(of: ShopperOutcome.self) { group in
            var next = 0
            var running = 0
            while next < configuration.users || running > 0 {
                while running < configuration.concurrency && next < configuration.users && !Task.isCancelled {
                    let plan = ShopperPlan(index: next, runID: runID, configuration: configuration, venue: venue)
                    group.addTask { await driver.run(plan) }
                    next += 1
                    running += 1
                }
                guard await group.next() != nil else { break }
                running -= 1
            }
        }
    }

    /// Polls availability until cancelled.
    private func watch(monitor: SellOutMonitor, clients: DropClients, recorder: DropRecorder) async {
        while !Task.isCancelled {
            await monitor.poll(clients: clients, recorder: recorder, timeout: configuration.callTimeout)
            try? await Task.sleep(for: configuration.monitorInterval)
        }
    }

    /// Hands a progress line to `sink` every `interval` until cancelled.
    private func report(every interval: Duration, line: ProgressLine, recorder: DropRecorder, monitor: SellOutMonitor,
                        to sink: @Sendable (String) -> Void) async {
        var lastCalls = 0
        var lastTime = recorder.elapsed
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            let crowd = recorder.progress
            let now = recorder.elapsed
            let rate = Double(crowd.calls - lastCalls) / max((now - lastTime).seconds, 0.001)
            sink(line.render(elapsed: now, crowd: crowd, inventory: monitor.counts, callsPerSecond: rate))
            lastCalls = crowd.calls
            lastTime = now
        }
    }

    /// Waits (bounded by ``DropConfiguration/settleTimeout``) until no booking of the event is
    /// mid-saga, no payment is pending and no hold is live, so the audit sees final states.
    private func settle(event: Int64, reader: DropAuditReader, monitor: SellOutMonitor, clients: DropClients,
                        recorder: DropRecorder) async {
        let deadline = ContinuousClock.now + configuration.settleTimeout
        while ContinuousClock.now < deadline && !Task.isCancelled {
            await monitor.poll(clients: clients, recorder: recorder, timeout: configuration.callTimeout)
            if let unsettled = try? await reader.unsettled(event: event), unsettled.bookings == 0, unsettled.pendingPayments == 0,
               (monitor.counts?.held ?? 0) == 0 {
                return
            }
            try? await Task.sleep(for: .milliseconds(500))
        }
        logger.warning("the drop did not settle within \(configuration.settleTimeout); auditing anyway")
    }
}

import ArgumentParser
import BoxOfficeAPI
import BoxOfficeBooking
import BoxOfficePostgres
import BoxOfficeRedis
import BoxOfficeRPC
import BoxOfficeServiceKit
import Foundation
import Logging

/// `boxoffice serve booking`: the waiting room, HoldSeats / Checkout / Cancel and the sagas behind them.
///
/// Migrates its database, then serves `boxoffice.booking.v1.BookingService` beside the saga recovery
/// worker (first round resumes every unfinished saga) and the waiting rooms' admission rounds.
struct ServeBookingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "booking",
        abstract: "Serve boxoffice.booking.v1.BookingService (default port 50052).")

    @OptionGroup var options: ServeOptions

    @Option(help: "The booking database URL (env BOXOFFICE_PG_URL).")
    var pgURL = environmentDefault("pg-url") ?? "postgresql://postgres@127.0.0.1:5432/boxoffice_booking"

    @Option(help: "Redis URL for the waiting rooms and rate limits (env BOXOFFICE_REDIS_URL).")
    var redisURL = environmentDefault("redis-url") ?? "redis://127.0.0.1:6379"

    @Option(help: "Prefix of every Redis key, e.g. 'boxoffice:' (env BOXOFFICE_REDIS_PREFIX).")
    var redisPrefix = environmentDefault("redis-prefix") ?? "boxoffice:"

    @Option(help: "The inventory service, HOST:PORT (env BOXOFFICE_INVENTORY).")
    var inventory = environmentDefault("inventory") ?? "127.0.0.1:50051"

    @Option(help: "The payment service, HOST:PORT (env BOXOFFICE_PAYMENT).")
    var payment = environmentDefault("payment") ?? "127.0.0.1:50053"

    @Option(help: "The HMAC secret of admission tokens; every booking instance needs the same (env BOXOFFICE_ADMISSION_SECRET).")
    var admissionSecret = environmentDefault("admission-secret") ?? ""

    @Option(help: "Users admitted per second per event (env BOXOFFICE_ADMISSION_RATE).")
    var admissionRate = environmentDefault("admission-rate").flatMap { Double($0) } ?? 50

    @Option(help: "Users admitted together (env BOXOFFICE_ADMISSION_BATCH).")
    var admissionBatch = environmentDefault("admission-batch").flatMap { Int($0) } ?? 10

    @Flag(help: "Admission rates follow inventory's health: up while holds are fast, down when their latency or error rate passes its limit; an event's label admission_rate_follows_health overrides it (env BOXOFFICE_ADMISSION_FOLLOWS_HEALTH=true).")
    var admissionFollowsHealth = environmentDefault("admission-follows-health") == "true"

    @Option(help: "Per-event admission rates, EVENT=RATE, comma-separated (env BOXOFFICE_EVENT_ADMISSION_RATES).")
    var eventAdmissionRates = environmentDefault("event-admission-rates") ?? ""

    @Option(help: "Seconds without polling after which a waiting user loses the place (env BOXOFFICE_QUEUE_ABANDON_SECONDS).")
    var queueAbandonSeconds = environmentDefault("queue-abandon-seconds").flatMap { Int($0) } ?? 60

    @Option(help: "HoldSeats per user: bucket size (env BOXOFFICE_HOLD_RATE_BURST).")
    var holdRateBurst = environmentDefault("hold-rate-burst").flatMap { Double($0) } ?? 10

    @Option(help: "HoldSeats per user: tokens refilled per second (env BOXOFFICE_HOLD_RATE_PER_SECOND).")
    var holdRatePerSecond = environmentDefault("hold-rate-per-second").flatMap { Double($0) } ?? 2

    @Option(help: "Milliseconds between saga recovery rounds (env BOXOFFICE_RECOVERY_INTERVAL_MS).")
    var recoveryIntervalMs = environmentDefault("recovery-interval-ms").flatMap { Int($0) } ?? 1_000

    @Option(help: "Milliseconds between waiting-room admission rounds (env BOXOFFICE_ADMISSION_INTERVAL_MS).")
    var admissionIntervalMs = environmentDefault("admission-interval-ms").flatMap { Int($0) } ?? 100

    @Option(help: "Provider timeout of the payment service in ms; Charge deadlines allow for it (env BOXOFFICE_PROVIDER_TIMEOUT_MS).")
    var providerTimeoutMs = environmentDefault("provider-timeout-ms").flatMap { Int($0) } ?? 30_000

    @Option(help: "PostgreSQL connections in the pool (env BOXOFFICE_PG_CONNECTIONS).")
    var pgConnections = environmentDefault("pg-connections").flatMap { Int($0) } ?? 16

    func validate() throws {
        guard !admissionSecret.isEmpty else { throw ValidationError("--admission-secret (BOXOFFICE_ADMISSION_SECRET) is required") }
        guard ClientEndpoint(inventory) != nil else { throw ValidationError("--inventory must be HOST:PORT, got '\(inventory)'") }
        guard ClientEndpoint(payment) != nil else { throw ValidationError("--payment must be HOST:PORT, got '\(payment)'") }
        guard admissionRate >= 0, admissionRate.isFinite else { throw ValidationError("--admission-rate must be ≥ 0") }
        guard admissionBatch > 0 else { throw ValidationError("--admission-batch must be positive") }
        _ = try parsedEventRates()
        guard queueAbandonSeconds > 0 else { throw ValidationError("--queue-abandon-seconds must be positive") }
        guard holdRateBurst >= 1, holdRatePerSecond > 0 else {
            throw ValidationError("--hold-rate-burst must be ≥ 1 and --hold-rate-per-second positive")
        }
        guard (10...3_600_000).contains(recoveryIntervalMs) else { throw ValidationError("--recovery-interval-ms must be 10-3600000") }
        guard (10...60_000).contains(admissionIntervalMs) else { throw ValidationError("--admission-interval-ms must be 10-60000") }
        guard (100...600_000).contains(providerTimeoutMs) else { throw ValidationError("--provider-timeout-ms must be 100-600000") }
        guard (1...512).contains(pgConnections) else { throw ValidationError("--pg-connections must be 1-512") }
    }

    func parsedEventRates() throws -> [Int64: Double] {
        var rates: [Int64: Double] = [:]
        for entry in eventAdmissionRates.split(separator: ",") {
            let parts = entry.split(separator: "=")
            guard parts.count == 2, let event = Int64(parts[0].trimmingCharacters(in: .whitespaces)),
                  let rate = Double(parts[1].trimmingCharacters(in: .whitespaces)), rate >= 0 else {
                throw ValidationError("--event-admission-rates entries are EVENT=RATE, got '\(entry)'")
            }
            rates[event] = rate
        }
        return rates
    }

    func run() async throws {
        let level = Logger.Level(rawValue: options.logLevel) ?? .info
        ServiceHost.bootstrapLogging(format: LogFormat(rawValue: options.logFormat) ?? .json, level: level)
        ServiceHost.bootstrapMetrics()
        var logger = Logger(label: "boxoffice.booking")
        logger.logLevel = level

        let postgres = PostgresClient(configuration: PostgresConfiguration(url: pgURL),
                                      options: PostgresPoolOptions(maximumConnections: pgConnections), logger: logger)
        try await postgres.waitUntilReachable(deadline: .now + .seconds(30))
        try await BookingSchema.migrate(postgres, logger: logger)
        let redis = try await RedisClient.connect(configuration: RedisConfiguration(url: redisURL), logger: logger)
        let keyPrefix = redisPrefix + "booking:"

        let signer = try AdmissionTokenSigner(secret: admissionSecret)
        let holdHealth = DownstreamHealthTracker()
        let room = WaitingRoom(redis: redis, keyPrefix: keyPrefix, signer: signer,
                               health: { holdHealth.currentHealth() }, logger: logger)
        let (peers, channels) = BookingPeers.dialling(inventory: ClientEndpoint(inventory)!, payment: ClientEndpoint(payment)!)
        let following = admissionFollowsHealth
            ? HealthFollowingRate(initialPerSecond: admissionRate, minimumPerSecond: max(1, admissionRate / 10),
                                  maximumPerSecond: max(1, admissionRate * 4))
            : nil
        let defaults = WaitingRoomDefaults(ratePerSecond: admissionRate, batchSize: admissionBatch, followHealth: following,
                                           ratePerEvent: try parsedEventRates(), abandonAfter: .seconds(queueAbandonSeconds))
        let waitingRoom = WaitingRoomRPC(room: room, provision: { eventID in
            var request = Boxoffice_Inventory_V1_GetEventRequest()
            request.eventID = eventID
            guard let event = try await peers.inventory.getEvent(request).event else { return nil }
            do {
                return try defaults.settings(for: event, now: Date())
            } catch let error as WaitingRoomError {
                throw error.rpcError
            }
        })
        let limiter = UserRateLimiter(redis: redis, keyPrefix: keyPrefix,
                                      bucket: .init(capacity: holdRateBurst, refillPerSecond: holdRatePerSecond))
        var policy = SagaPolicy()
        policy.chargeTimeout = .milliseconds(providerTimeoutMs) + .seconds(5)
        let driver = SagaDriver(store: BookingStore(client: postgres), peers: peers, policy: policy, holdHealth: holdHealth,
                                logger: logger)
        let service = BookingService(driver: driver, admission: signer, waitingRoom: waitingRoom, rateLimiter: limiter,
                                     logger: logger)
        var router = RPCRouter()
        service.registerMethods(with: &router)

        let recovery = SagaRecovery(driver: driver)
        let recoveryWork = RecurringWork(name: "saga-recovery", interval: .milliseconds(recoveryIntervalMs), logger: logger) {
            try await recovery.round()
        }
        let admissionWork = RecurringWork(name: "queue-admission", interval: .milliseconds(admissionIntervalMs), logger: logger) {
            _ = try await room.admitDue(now: Date())
        }
        let host = ServiceHost(
            configuration: .init(name: "booking", host: options.host, port: options.port(default: 50052),
                                 metricsPort: options.metricsPortInEffect, shutdownGracePeriod: .seconds(options.shutdownGrace)),
            logger: logger)
        let result: Result<Void, any Error>
        do {
            try await host.run(router: router, background: channels + [recoveryWork, admissionWork])
            result = .success(())
        } catch {
            result = .failure(error)
        }
        await driver.shutdown()
        await redis.close()
        await postgres.shutdown()
        try result.get()
    }
}

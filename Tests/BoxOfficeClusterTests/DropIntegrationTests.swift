import BoxOfficeCluster
import BoxOfficeHarness
import Foundation
import Testing

/// A small drop over a real local cluster (the four services on the shared PostgreSQL and Redis):
/// the audit from the databases must show nothing oversold and money conserved, and the client
/// history must account for every call.
@Suite struct DropIntegrationTests {
    @Test(.timeLimit(.minutes(5)))
    func smallDropSellsNothingTwiceAndConservesMoney() async throws {
        let name = "dt_\(UInt32.random(in: 0...UInt32.max))"
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("boxoffice-\(name)").path
        let postgresURL = try await PostgresTestEnvironment.sharedURL()
        var clusterConfiguration = DropCluster.configuration(
            dataDirectory: directory, postgresURL: postgresURL, redisURL: try await RedisTestEnvironment.sharedURL(), name: name)
        clusterConfiguration.startTimeout = .seconds(120)
        clusterConfiguration.stopGracePeriod = .seconds(5)
        let cluster = try await LocalCluster.start(clusterConfiguration)
        let historyURL = URL(fileURLWithPath: directory + "/history.jsonl")

        let outcome: Result<DropReport, any Error>
        do {
            var configuration = DropConfiguration()
            configuration.users = 300
            configuration.seats = 100
            configuration.generalAdmission = 50
            configuration.concurrency = 80
            configuration.holdTTL = .seconds(3)
            configuration.saleOpensAfter = .seconds(1)
            configuration.admissionRatePerSecond = 300
            configuration.checkoutTimeout = .seconds(15)
            configuration.pendingPollLimit = .seconds(40)
            configuration.settleTimeout = .seconds(60)
            configuration.seed = 11
            var runner = DropRunner(target: try DropCluster.target(of: cluster), configuration: configuration)
            let history = try HistoryWriter(url: historyURL)
            runner.history = history
            let report = try await runner.run()
            try history.close()
            outcome = .success(report)
        } catch {
            outcome = .failure(error)
        }
        await cluster.stop()
        let records = try? HistoryRecord.read(contentsOf: historyURL)
        for suffix in ["inventory", "booking", "payment"] {
            try? await PostgresDatabaseAdmin.dropDatabase("\(name)_\(suffix)", adminURL: postgresURL)
        }
        try? FileManager.default.removeItem(atPath: directory)
        let report = try outcome.get()
        // The report as a machine reads it.
        let decoded = try JSONDecoder().decode(DropReport.self, from: Data(try report.json().utf8))
        #expect(decoded.audit.oversold == 0)
        #expect(decoded.audit.bookingsSoldTwice == 0)
        #expect(decoded.audit.money.conserved,
                "captured \(decoded.audit.money.capturedMinor) confirmed \(decoded.audit.money.confirmedMinor) refunded \(decoded.audit.money.refundedMinor): \(decoded.audit.money)")
        #expect(decoded.audit.capacity == 150)
        #expect(decoded.audit.sold > 0 && decoded.audit.sold <= decoded.audit.capacity)
        #expect(decoded.passed)
        #expect(decoded.shoppers.values.reduce(0, +) == 300)
        #expect(decoded.audit.pendingPayments == 0 && decoded.audit.unsettledBookings == 0)

        let history = try #require(records)
        #expect(history.count == report.totalCalls)
        #expect(history.map(\.seq) == Array(1...history.count))
        // Every booking the client was told is CONFIRMED shows up confirmed in the database.
        let toldConfirmed = Set(history.filter { $0.outcome == .ok && $0.status == "CONFIRMED" }.compactMap(\.booking))
        #expect(toldConfirmed.count <= decoded.audit.bookingsByStatus["confirmed"] ?? 0)
        #expect(history.contains { $0.op == .checkout && $0.token == "tok_approve" })
    }
}

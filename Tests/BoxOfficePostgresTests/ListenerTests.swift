import BoxOfficePostgres
import Testing

@Suite("LISTEN/NOTIFY against a real server")
struct ListenerTests {
    @Test func deliversNotificationsInOrder() async throws {
        try await withTestClient("listen") { db in
            let listener = try await PostgresListener.listen(
                configuration: db.configuration, channels: ["seat_released", "odd \"channel\""], logger: testLogger)
            try await db.notify(channel: "seat_released", payload: "A1")
            try await db.notify(channel: "odd \"channel\"", payload: "")
            try await db.notify(channel: "ignored", payload: "x")
            try await db.notify(channel: "seat_released", payload: "A2")
            var received: [PostgresNotification] = []
            for try await notification in listener.notifications {
                received.append(notification)
                if received.count == 3 { break }
            }
            #expect(received.map(\.channel) == ["seat_released", "odd \"channel\"", "seat_released"])
            #expect(received.map(\.payload) == ["A1", "", "A2"])
            await listener.close()
        }
    }

    @Test func closeEndsTheStream() async throws {
        try await withTestClient("listenclose") { db in
            let listener = try await PostgresListener.listen(configuration: db.configuration, channels: ["c"], logger: testLogger)
            await listener.close()
            var count = 0
            for try await _ in listener.notifications { count += 1 }
            #expect(count == 0)
        }
    }
}

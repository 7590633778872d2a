public import Foundation

extension WaitingRoom {
    /// Polls `ticketID` every `interval` and hands each changed status to `send`: the first at
    /// once, then whenever state, position or queue length change, ending after the first final
    /// status (admitted or expired). Each poll is a heartbeat, so a watching user keeps the place.
    ///
    /// Returns when the status is final; throws when a poll or `send` fails or the task is cancelled.
    public func watch(ticketID: String, userID: String, every interval: Duration, clock: @Sendable () -> Date,
                      send: (WaitingRoomStatus) async throws -> Void) async throws {
        var last: WaitingRoomStatus?
        while true {
            let status = try await self.status(ticketID: ticketID, userID: userID, now: clock())
            if last.map({ !$0.sameProgress(as: status) }) ?? true {
                try await send(status)
                last = status
            }
            if status.isFinal { return }
            try await Task.sleep(for: interval)
        }
    }

    /// ``watch(ticketID:userID:every:clock:send:)`` as an async sequence; ends after the final
    /// status, and stops polling when the consumer stops iterating.
    public func statuses(ticketID: String, userID: String, every interval: Duration,
                         clock: @escaping @Sendable () -> Date = { Date() }) -> AsyncThrowingStream<WaitingRoomStatus, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: WaitingRoomStatus.self, bufferingPolicy: .bufferingNewest(1))
        let task = Task {
            do {
                try await watch(ticketID: ticketID, userID: userID, every: interval, clock: clock) { continuation.yield($0) }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }
}

extension WaitingRoomStatus {
    /// Whether nothing a watcher cares about changed (the estimate and the instant always move).
    func sameProgress(as other: WaitingRoomStatus) -> Bool {
        state == other.state && position == other.position && queueLength == other.queueLength
    }
}

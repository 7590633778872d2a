import Synchronization

/// Lets RPC handlers wait for a booking's saga to reach a state (HoldSeats: the hold answered;
/// Checkout: the charge decided) while the driver moves it in other tasks.
///
/// Subscribe first, then read the stored booking, then iterate: nothing published in between is lost.
final class SagaObservers: Sendable {
    private struct Subscriber {
        let continuation: AsyncStream<BookingRecord>.Continuation
    }

    private let subscribers = Mutex<(next: Int, byBooking: [String: [Int: Subscriber]])>((0, [:]))

    /// A stream of every record published for `bookingId` from now on; ends after `timeout`.
    func subscribe(to bookingId: String, timeout: Duration) -> Subscription {
        let (stream, continuation) = AsyncStream<BookingRecord>.makeStream(bufferingPolicy: .bufferingNewest(8))
        let token = subscribers.withLock { state in
            let token = state.next
            state.next += 1
            state.byBooking[bookingId, default: [:]][token] = Subscriber(continuation: continuation)
            return token
        }
        let timer = Task {
            try? await Task.sleep(for: timeout)
            continuation.finish()
        }
        continuation.onTermination = { [weak self] _ in
            timer.cancel()
            self?.remove(bookingId, token)
        }
        return Subscription(stream: stream, continuation: continuation)
    }

    /// Hands `record` to every subscriber of its booking.
    func publish(_ record: BookingRecord) {
        let targets = subscribers.withLock { state in state.byBooking[record.id].map { Array($0.values) } ?? [] }
        for target in targets { target.continuation.yield(record) }
    }

    private func remove(_ bookingId: String, _ token: Int) {
        subscribers.withLock { state in
            state.byBooking[bookingId]?[token] = nil
            if state.byBooking[bookingId]?.isEmpty == true { state.byBooking[bookingId] = nil }
        }
    }

    /// One subscription; finish it when done (it also finishes at its timeout).
    struct Subscription: Sendable {
        let stream: AsyncStream<BookingRecord>
        let continuation: AsyncStream<BookingRecord>.Continuation

        /// The first published record satisfying `predicate`, or nil at the timeout.
        func first(where predicate: (BookingRecord) -> Bool) async -> BookingRecord? {
            defer { continuation.finish() }
            for await record in stream where predicate(record) { return record }
            return nil
        }

        /// Ends the subscription.
        func finish() { continuation.finish() }
    }
}

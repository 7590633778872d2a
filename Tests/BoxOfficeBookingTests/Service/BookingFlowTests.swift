import BoxOfficeAPI
import BoxOfficeBooking
import BoxOfficeRPC
import Foundation
import Testing

/// The booking service end to end over gRPC, against real PostgreSQL and fake inventory and payment
/// servers that answer, refuse, fail and answer late as each test scripts.
@Suite("Booking service: hold → pay → confirm with fake peers")
struct BookingFlowTests {
    @Test("approve: HELD with amount and expiry, then CONFIRMED; every call carries its saga key")
    func approvedPurchase() async throws {
        try await BookingTestBed.run { bed in
            let held = try await bed.hold(user: "alice", quantity: 3)
            #expect(held.status == .held)
            #expect(held.amount?.amountMinor == 15_000)
            #expect(held.gaQuantity == 3 && held.gaPoolCode == "floor")
            #expect(try #require(held.expiresAt).date > Date())
            let paid = try await bed.checkout(held)
            #expect(paid.status == .confirmed)
            #expect(paid.paymentOutcome == .captured)
            #expect(paid.paymentID == "pay-\(held.id)")
            #expect(bed.inventory.calls("hold") == ["\(held.id):hold"])
            #expect(bed.inventory.calls("confirm") == ["\(held.id):confirm"])
            #expect(bed.inventory.calls("release").isEmpty)
            let steps = try await bed.store.history(of: held.id).map(\.step)
            #expect(steps == ["holdRequested", "held", "pinning", "charging", "confirming", "confirmed"])
        }
    }

    @Test("decline: PAYMENT_FAILED and the seats released at once")
    func declinedPayment() async throws {
        try await BookingTestBed.run { bed in
            bed.payment.configure { $0.chargeStatus = .declined }
            let held = try await bed.hold(user: "bob")
            let answer = try await bed.checkout(held, token: "tok_decline")
            #expect(answer.status == .paymentFailed)
            #expect(answer.paymentOutcome == .declined)
            #expect(bed.inventory.calls("release") == ["\(held.id):release"])
            #expect(bed.inventory.calls("confirm").isEmpty)
            #expect(try await bed.terminal(held.id).saga.step == .paymentFailed)
        }
    }

    @Test("a pending charge answers PAYMENT_PENDING; payment's notification confirms, redelivery changes nothing")
    func pendingThenNotified() async throws {
        var timing = BookingService.Timing()
        timing.checkoutWait = .milliseconds(300)
        try await BookingTestBed.run(timing: timing) { bed in
            bed.payment.configure { $0.chargeStatus = .pending }
            let held = try await bed.hold(user: "carol")
            #expect(try await bed.checkout(held).status == .paymentPending)
            bed.payment.settle(held.id, .captured)
            var notification = Boxoffice_Booking_V1_NotifyPaymentOutcomeRequest()
            notification.notificationID = "pay-\(held.id)/CAPTURED"
            notification.bookingID = held.id
            notification.paymentID = "pay-\(held.id)"
            notification.outcome = .captured
            _ = try await bed.client.notifyPaymentOutcome(notification)
            let done = try await bed.terminal(held.id)
            #expect(done.saga.step == .confirmed)
            let again = try await bed.client.notifyPaymentOutcome(notification)
            #expect(again.booking?.status == .confirmed)
            #expect(bed.inventory.calls("confirm").count == 1)
        }
    }

    @Test("a lost notification: the saga's GetPayment poll finds the outcome (not charged → PAYMENT_FAILED)")
    func pendingResolvedByPolling() async throws {
        var timing = BookingService.Timing()
        timing.checkoutWait = .milliseconds(200)
        try await BookingTestBed.run(timing: timing) { bed in
            bed.payment.configure { $0.chargeStatus = .pending }
            let held = try await bed.hold(user: "dave")
            #expect(try await bed.checkout(held).status == .paymentPending)
            bed.payment.settle(held.id, .notCharged)
            let done = try await bed.terminal(held.id)
            #expect(done.saga.step == .paymentFailed)
            #expect(done.saga.paymentOutcome == .notCharged)
            #expect(bed.inventory.calls("release").count >= 1)
            #expect(bed.payment.state.withLock { $0.pollCalls } >= 1)
        }
    }

    @Test("charge answered with UNAVAILABLE after it landed: retried with the same key, charged once, CONFIRMED")
    func chargeRetriedAfterFailure() async throws {
        try await BookingTestBed.run { bed in
            bed.payment.configure {
                $0.chargeFailures = 2
                $0.chargeLands = true
            }
            let held = try await bed.hold(user: "erin")
            #expect(try await bed.checkout(held).status == .confirmed)
            #expect(bed.payment.state.withLock { $0.chargeCalls } == 3)
            #expect(bed.payment.state.withLock { $0.payments.count } == 1)
        }
    }

    @Test("inventory failing twice: the hold is retried with the same key and granted once")
    func holdRetried() async throws {
        try await BookingTestBed.run { bed in
            bed.inventory.configure { $0.hold = .fail(.unavailable, times: 2) }
            let held = try await bed.hold(user: "fay")
            #expect(held.status == .held)
            #expect(bed.inventory.calls("hold") == Array(repeating: "\(held.id):hold", count: 3))
        }
    }

    @Test("hold calls feed the downstream health the admission rate follows: failures count, sold out does not")
    func holdHealthRecorded() async throws {
        let tracker = DownstreamHealthTracker(smoothing: 0.5)
        try await BookingTestBed.run(holdHealth: tracker) { bed in
            #expect(tracker.currentHealth() == nil)
            bed.inventory.configure { $0.hold = .refuse(.resourceExhausted, "pool floor has 0 left") }
            _ = await expectStatus(.resourceExhausted) {
                _ = try await bed.client.holdSeats(bed.holdRequest(user: "hal", key: "k1"))
            }
            #expect(tracker.currentHealth()?.errorRate == 0)
            bed.inventory.configure { $0.hold = .fail(.unavailable, times: 1) }
            _ = try await bed.hold(user: "hal")  // one UNAVAILABLE, then granted on the retry
            let health = try #require(tracker.currentHealth())
            // Samples ok (sold out), failed, ok, each weighted 0.5: 0 → 0.5 → 0.25.
            #expect(health.errorRate == 0.25)
            #expect(health.latency > .zero)
        }
    }

    @Test("sold out: HoldSeats answers inventory's RESOURCE_EXHAUSTED and leaves no visible booking")
    func soldOut() async throws {
        try await BookingTestBed.run { bed in
            bed.inventory.configure { $0.hold = .refuse(.resourceExhausted, "pool floor has 0 left") }
            let error = await expectStatus(.resourceExhausted) {
                _ = try await bed.client.holdSeats(bed.holdRequest(user: "gus", key: "k1"))
            }
            #expect(error?.message.contains("pool floor has 0 left") == true)
            var list = Boxoffice_Booking_V1_ListBookingsRequest()
            list.userID = "gus"
            let listed = try await bed.client.listBookings(list)
            #expect(listed.bookings.isEmpty)
        }
    }

    @Test("captured but the hold is gone at confirm: REFUNDED, refund sent once")
    func capturedButGone() async throws {
        try await BookingTestBed.run { bed in
            bed.inventory.configure { $0.confirm = .refuse(.failedPrecondition, "hold expired") }
            let held = try await bed.hold(user: "hal")
            _ = try await bed.checkout(held)
            let done = try await bed.terminal(held.id)
            #expect(done.saga.step == .refunded)
            #expect(try await bed.get(held.id).status == .refunded)
            #expect(bed.payment.state.withLock { $0.refundCalls } == 1)
            #expect(bed.payment.payment(held.id)?.status == .refunded)
        }
    }

    @Test("a hold that runs out becomes EXPIRED and is released; Checkout then is FAILED_PRECONDITION")
    func expiry() async throws {
        try await BookingTestBed.run { bed in
            bed.inventory.configure { $0.holdTTL = .milliseconds(400) }
            let held = try await bed.hold(user: "ida")
            let done = try await bed.terminal(held.id)
            #expect(done.saga.step == .expired)
            #expect(bed.inventory.calls("release") == ["\(held.id):release"])
            await expectStatus(.failedPrecondition) { _ = try await bed.checkout(held) }
            #expect(bed.payment.state.withLock { $0.chargeCalls } == 0)
        }
    }

    @Test("without in-process timers, the recovery worker's rounds expire the hold and release it")
    func expiryByRecoveryWorker() async throws {
        try await BookingTestBed.run(timerHorizon: .zero) { bed in
            bed.inventory.configure { $0.holdTTL = .milliseconds(300) }
            let held = try await bed.hold(user: "ivy")
            let recovery = SagaRecovery(driver: bed.driver)
            _ = try await recovery.round()  // the start-up round resumes; later rounds fire due timers
            var rounds = 0
            while try await bed.store.load(held.id)?.saga.isTerminal != true, rounds < 200 {
                try await Task.sleep(for: .milliseconds(50))
                _ = try await recovery.round()
                rounds += 1
            }
            #expect(try await bed.get(held.id).status == .expired)
            #expect(bed.inventory.calls("release") == ["\(held.id):release"])
        }
    }

    @Test("cancel before payment releases the hold; cancel after payment is refused")
    func cancel() async throws {
        try await BookingTestBed.run { bed in
            let held = try await bed.hold(user: "jay")
            var cancel = Boxoffice_Booking_V1_CancelBookingRequest()
            cancel.bookingID = held.id
            cancel.userID = "jay"
            cancel.idempotencyKey = "c1"
            #expect(try await bed.client.cancelBooking(cancel).booking?.status == .cancelled)
            #expect(try await bed.client.cancelBooking(cancel).booking?.status == .cancelled)
            #expect(bed.inventory.calls("release") == ["\(held.id):release"])
            await expectStatus(.failedPrecondition) { _ = try await bed.checkout(held) }

            let paid = try await bed.checkout(try await bed.hold(user: "jay"))
            cancel.bookingID = paid.id
            cancel.idempotencyKey = "c2"
            await expectStatus(.failedPrecondition) { _ = try await bed.client.cancelBooking(cancel) }
            #expect(try await bed.get(paid.id).status == .confirmed)
        }
    }

    @Test("idempotency: the same HoldSeats key returns the same booking; other parameters are INVALID_ARGUMENT")
    func idempotentHold() async throws {
        try await BookingTestBed.run { bed in
            let first = try await bed.client.holdSeats(bed.holdRequest(user: "kim", key: "same"))
            let second = try await bed.client.holdSeats(bed.holdRequest(user: "kim", key: "same"))
            #expect(first == second)
            #expect(bed.inventory.calls("hold").count == 1)
            await expectStatus(.invalidArgument) {
                _ = try await bed.client.holdSeats(bed.holdRequest(user: "kim", key: "same", quantity: 4))
            }
            let booking = try #require(first.booking)
            let paid = try await bed.checkout(booking, key: "pay-1")
            let replay = try await bed.checkout(booking, key: "pay-1")
            #expect(paid == replay)
            await expectStatus(.invalidArgument) { _ = try await bed.checkout(booking, token: "tok_other", key: "pay-1") }
            #expect(bed.payment.state.withLock { $0.chargeCalls } == 1)
        }
    }

    @Test("list pages through a user's bookings in creation order")
    func listPages() async throws {
        try await BookingTestBed.run { bed in
            var ids: [String] = []
            for index in 0..<5 { ids.append(try await bed.hold(user: "lee", key: "k\(index)", quantity: 1).id) }
            _ = try await bed.hold(user: "other", key: "x")
            var request = Boxoffice_Booking_V1_ListBookingsRequest()
            request.userID = "lee"
            request.pageSize = 2
            var seen: [String] = []
            for _ in 0..<5 {
                let page = try await bed.client.listBookings(request)
                seen += page.bookings.map(\.id)
                guard !page.nextPageToken.isEmpty else { break }
                request.pageToken = page.nextPageToken
            }
            #expect(seen == ids)
        }
    }

    @Test("a saga left in flight by a dead process is resumed: the hold is asked again with the same key")
    func resumeAfterCrash() async throws {
        try await BookingTestBed.run { bed in
            // As if a process stored the new saga and died before its HoldSeats was sent.
            let now = SagaInstant(Date())
            let (saga, _) = BookingSaga.start(bookingId: "bk-000000000000-00000000000000aa", userId: "max", eventId: 7,
                                              selection: .generalAdmission(poolCode: "floor", quantity: 1),
                                              now: now, policy: BookingTestBed.testPolicy)
            let claim = IdempotencyRecord(userId: "max", operation: .hold, key: "k", fingerprint: "f", bookingId: saga.bookingId)
            #expect(try await bed.store.create(BookingRecord(saga: saga), claim: claim) == .created)
            let recovery = SagaRecovery(driver: bed.driver)
            #expect(try await recovery.round() == 1)
            let held = try #require(try await bed.driver.waitFor(saga.bookingId, timeout: .seconds(5)) { $0.saga.step == .held })
            #expect(held.saga.step == .held)
            #expect(bed.inventory.calls("hold") == ["\(saga.bookingId):hold"])
        }
    }
}

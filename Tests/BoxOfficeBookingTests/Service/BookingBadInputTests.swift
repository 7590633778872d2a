import BoxOfficeAPI
import BoxOfficeBooking
import BoxOfficeRPC
import Foundation
import Testing

/// Every booking RPC refuses bad input with a clear status and changes nothing.
@Suite("Booking service: bad input")
struct BookingBadInputTests {
    @Test("HoldSeats: missing fields and bad selections are INVALID_ARGUMENT; inventory is never asked")
    func holdInvalid() async throws {
        try await BookingTestBed.run { bed in
            let good = bed.holdRequest(user: "u1", key: "k")
            var cases: [(String, Boxoffice_Booking_V1_HoldSeatsRequest)] = []
            var request = good
            request.userID = ""
            cases.append(("no user", request))
            request = good
            request.eventID = 0
            cases.append(("no event", request))
            request = good
            request.selection = nil
            cases.append(("no selection", request))
            request = good
            request.idempotencyKey = ""
            cases.append(("no key", request))
            request = good
            request.selection = .specificSeats(Boxoffice_Booking_V1_SpecificSeats())
            cases.append(("no seats", request))
            var seats = Boxoffice_Booking_V1_SpecificSeats()
            seats.seatIds = [4, 4]
            request.selection = .specificSeats(seats)
            cases.append(("seat twice", request))
            var best = Boxoffice_Booking_V1_BestAvailable()
            best.quantity = 0
            request.selection = .bestAvailable(best)
            cases.append(("zero best", request))
            var ga = Boxoffice_Booking_V1_GeneralAdmission()
            ga.quantity = 2
            request.selection = .generalAdmission(ga)
            cases.append(("no pool", request))
            for (name, bad) in cases {
                let error = await expectStatus(.invalidArgument) { _ = try await bed.client.holdSeats(bad) }
                #expect(error?.message.isEmpty == false, "\(name)")
            }
            #expect(bed.inventory.calls("hold").isEmpty)
        }
    }

    @Test("HoldSeats: forged, expired and other-user admission tokens are PERMISSION_DENIED")
    func holdBadTokens() async throws {
        try await BookingTestBed.run { bed in
            var forged = bed.holdRequest(user: "u1", key: "k1")
            forged.admissionToken = String(forged.admissionToken.dropLast(3)) + "AAA"
            var expired = bed.holdRequest(user: "u1", key: "k2")
            expired.admissionToken = bed.signer.sign(userID: "u1", eventID: 7, expiresAt: Date().addingTimeInterval(-5)).token
            var otherUser = bed.holdRequest(user: "u1", key: "k3")
            otherUser.admissionToken = bed.token(user: "u2")
            var otherEvent = bed.holdRequest(user: "u1", key: "k4")
            otherEvent.admissionToken = bed.token(user: "u1", event: 8)
            var missing = bed.holdRequest(user: "u1", key: "k5")
            missing.admissionToken = ""
            let otherSecret = try AdmissionTokenSigner(secret: "someone-else")
            var wrongSecret = bed.holdRequest(user: "u1", key: "k6")
            wrongSecret.admissionToken = otherSecret.sign(userID: "u1", eventID: 7, expiresAt: Date().addingTimeInterval(60)).token
            for bad in [forged, expired, otherUser, otherEvent, missing, wrongSecret] {
                await expectStatus(.permissionDenied) { _ = try await bed.client.holdSeats(bad) }
            }
            #expect(bed.inventory.calls("hold").isEmpty)
            var list = Boxoffice_Booking_V1_ListBookingsRequest()
            list.userID = "u1"
            let listed = try await bed.client.listBookings(list)
            #expect(listed.bookings.isEmpty)
        }
    }

    @Test("Checkout, Get, Cancel: unknown or other user's booking is NOT_FOUND; missing fields INVALID_ARGUMENT")
    func bookingLookups() async throws {
        try await BookingTestBed.run { bed in
            let held = try await bed.hold(user: "owner")
            var checkout = Boxoffice_Booking_V1_CheckoutRequest()
            checkout.bookingID = held.id
            checkout.userID = "thief"
            checkout.paymentToken = "tok_visa"
            await expectStatus(.notFound) { _ = try await bed.client.checkout(checkout) }
            checkout.userID = "owner"
            checkout.bookingID = "bk-unknown"
            await expectStatus(.notFound) { _ = try await bed.client.checkout(checkout) }
            checkout.bookingID = held.id
            checkout.paymentToken = ""
            await expectStatus(.invalidArgument) { _ = try await bed.client.checkout(checkout) }
            checkout.paymentToken = "tok_visa"
            checkout.userID = ""
            await expectStatus(.invalidArgument) { _ = try await bed.client.checkout(checkout) }

            var get = Boxoffice_Booking_V1_GetBookingRequest()
            await expectStatus(.invalidArgument) { _ = try await bed.client.getBooking(get) }
            get.bookingID = "bk-unknown"
            await expectStatus(.notFound) { _ = try await bed.client.getBooking(get) }
            get.bookingID = held.id
            get.userID = "thief"
            await expectStatus(.notFound) { _ = try await bed.client.getBooking(get) }

            var cancel = Boxoffice_Booking_V1_CancelBookingRequest()
            cancel.bookingID = held.id
            cancel.userID = "thief"
            await expectStatus(.notFound) { _ = try await bed.client.cancelBooking(cancel) }
            cancel.userID = ""
            await expectStatus(.invalidArgument) { _ = try await bed.client.cancelBooking(cancel) }

            var list = Boxoffice_Booking_V1_ListBookingsRequest()
            await expectStatus(.invalidArgument) { _ = try await bed.client.listBookings(list) }
            list.userID = "owner"
            list.pageSize = -1
            await expectStatus(.invalidArgument) { _ = try await bed.client.listBookings(list) }
            list.pageSize = 0
            list.pageToken = "garbage"
            await expectStatus(.invalidArgument) { _ = try await bed.client.listBookings(list) }

            // Nothing changed: still HELD, no pin, no charge, no release.
            #expect(try await bed.get(held.id).status == .held)
            #expect(bed.inventory.calls("pin").isEmpty && bed.inventory.calls("release").isEmpty)
            #expect(bed.payment.state.withLock { $0.chargeCalls } == 0)
        }
    }

    @Test("NotifyPaymentOutcome: missing ids or outcome INVALID_ARGUMENT, unknown booking NOT_FOUND")
    func notifyInvalid() async throws {
        try await BookingTestBed.run { bed in
            var request = Boxoffice_Booking_V1_NotifyPaymentOutcomeRequest()
            request.bookingID = "bk-x"
            request.outcome = .captured
            await expectStatus(.invalidArgument) { _ = try await bed.client.notifyPaymentOutcome(request) }
            request.notificationID = "n1"
            request.outcome = .unspecified
            await expectStatus(.invalidArgument) { _ = try await bed.client.notifyPaymentOutcome(request) }
            request.outcome = .captured
            await expectStatus(.notFound) { _ = try await bed.client.notifyPaymentOutcome(request) }
            let recorded = try await bed.store.hasNotification(id: "n1")
            #expect(!recorded)
        }
    }

    @Test("queue RPCs without a waiting room are UNIMPLEMENTED")
    func queueWithoutRoom() async throws {
        try await BookingTestBed.run { bed in
            var enter = Boxoffice_Booking_V1_EnterQueueRequest()
            enter.eventID = 7
            enter.userID = "u"
            await expectStatus(.unimplemented) { _ = try await bed.client.enterQueue(enter) }
        }
    }
}

public import BoxOfficeAPI
import Foundation

extension Boxoffice_Booking_V1_Booking {
    /// The wire form of a stored booking.
    public init(_ record: BookingRecord) {
        self.init()
        let saga = record.saga
        id = saga.bookingId
        userID = saga.userId
        eventID = saga.eventId
        status = Boxoffice_Booking_V1_BookingStatus(saga.status)
        seats = record.seats.map { seat in
            var booked = Boxoffice_Booking_V1_BookedSeat()
            booked.seatID = seat.seatId
            booked.sectionCode = seat.sectionCode
            booked.row = seat.row
            booked.number = seat.number
            booked.priceTier = seat.priceTier
            return booked
        }
        if case .generalAdmission(let pool, let quantity) = saga.selection {
            gaPoolCode = pool
            gaQuantity = quantity
        }
        if let hold = saga.hold {
            var money = Boxoffice_Common_V1_Money()
            money.amountMinor = hold.amount.amountMinor
            money.currency = hold.amount.currency
            amount = money
            holdID = hold.holdId
            expiresAt = Google_Protobuf_Timestamp(date: (saga.checkout?.pinnedUntil ?? hold.expiresAt).date)
        }
        paymentID = record.paymentId
        paymentOutcome = Boxoffice_Booking_V1_PaymentOutcome(saga.paymentOutcome)
        createdAt = Google_Protobuf_Timestamp(date: saga.createdAt.date)
        updatedAt = Google_Protobuf_Timestamp(date: saga.updatedAt.date)
        if saga.status != .held && saga.status != .paymentPending && saga.status != .confirmed {
            failureReason = saga.failureReason ?? ""
        }
    }
}

extension Boxoffice_Booking_V1_BookingStatus {
    /// The wire status; UNSPECIFIED before a hold was granted.
    public init(_ status: BookingStatus?) {
        switch status {
        case .held: self = .held
        case .paymentPending: self = .paymentPending
        case .confirmed: self = .confirmed
        case .paymentFailed: self = .paymentFailed
        case .expired: self = .expired
        case .cancelled: self = .cancelled
        case .refunded: self = .refunded
        case nil: self = .unspecified
        }
    }
}

extension Boxoffice_Booking_V1_PaymentOutcome {
    /// The wire outcome; UNSPECIFIED while unknown.
    public init(_ outcome: PaymentOutcome?) {
        switch outcome {
        case .captured: self = .captured
        case .declined: self = .declined
        case .notCharged: self = .notCharged
        case .refunded: self = .refunded
        case nil: self = .unspecified
        }
    }
}

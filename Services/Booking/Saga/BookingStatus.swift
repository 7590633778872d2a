/// The status of a booking as clients see it; one case per `boxoffice.booking.v1.BookingStatus` value
/// (without UNSPECIFIED).
public enum BookingStatus: String, Hashable, Sendable, Codable, CaseIterable {
    /// Seats are held until the hold's expiry; checkout may start.
    case held
    /// A charge was sent and its outcome is not known or not yet applied; the hold is pinned.
    case paymentPending
    /// Paid and sold.
    case confirmed
    /// The payment was declined or never charged; the seats are (being) released.
    case paymentFailed
    /// The hold ran out before a payment started; the seats are (being) released.
    case expired
    /// Cancelled by the user before payment; the seats are (being) released.
    case cancelled
    /// Paid, but the seats could not be confirmed: the charge is (being) refunded.
    case refunded
}

/// What became of a booking's payment; one case per `boxoffice.booking.v1.PaymentOutcome` value
/// (without UNSPECIFIED).
public enum PaymentOutcome: String, Hashable, Sendable, Codable, CaseIterable {
    /// The money was taken.
    case captured
    /// The provider refused the charge.
    case declined
    /// A charge whose answer timed out was resolved as never charged.
    case notCharged
    /// A captured charge was given back.
    case refunded
}

/// A payment's state as the payment service reports it, from a Charge answer, a GetPayment poll or an
/// outcome notification; one case per `boxoffice.payment.v1.PaymentStatus` value (without UNSPECIFIED).
///
/// Reports may arrive late, twice or out of order: the saga applies only those that move its
/// knowledge forward (pending → captured / declined / not charged, captured → refunded).
public enum PaymentStatus: String, Hashable, Sendable, Codable, CaseIterable {
    /// Recorded, outcome not known yet (the provider did not answer in time).
    case pending
    case captured
    case declined
    case notCharged
    case refunded
}

import Foundation

extension Date {
    /// This instant rounded to the microsecond, built the way PostgreSQL `timestamptz` values are
    /// read back, so a payment answered from memory equals the same payment read from the store.
    var roundedToMicroseconds: Date {
        let micros = Int64((timeIntervalSince1970 * 1e6).rounded())
        let (seconds, remainder) = micros.quotientAndRemainder(dividingBy: 1_000_000)
        return Date(timeIntervalSince1970: Double(seconds) + Double(remainder) / 1e6)
    }
}

import Foundation

/// Conversions between `Date` and PostgreSQL's timestamp encodings.
enum PostgresTimestamp {
    /// Seconds from 1970-01-01 to PostgreSQL's epoch, 2000-01-01 UTC.
    static let postgresEpochOffset: Int64 = 946_684_800

    /// Decodes binary `timestamp[tz]`: microseconds since 2000-01-01 UTC; ±infinity map to distant dates.
    static func date(microsecondsSince2000 micros: Int64) -> Date {
        if micros == .max { return .distantFuture }
        if micros == .min { return .distantPast }
        let seconds = micros.quotientAndRemainder(dividingBy: 1_000_000)
        return Date(timeIntervalSince1970: Double(seconds.quotient + postgresEpochOffset) + Double(seconds.remainder) / 1e6)
    }

    /// Formats `date` as `YYYY-MM-DD HH:MM:SS.ffffff+00`, rounded to the microsecond.
    static func text(for date: Date) -> String {
        let totalMicros = Int64((date.timeIntervalSince1970 * 1e6).rounded())
        let (seconds, micros) = floorDivide(totalMicros, 1_000_000)
        let (days, secondOfDay) = floorDivide(seconds, 86_400)
        let (year, month, day) = civil(fromDays: days)
        func pad(_ value: Int64, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        let yearText = year > 0 ? pad(year, 4) : pad(1 - year, 4)
        let time = "\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2)).\(pad(micros, 6))"
        return "\(yearText)-\(pad(month, 2))-\(pad(day, 2)) \(time)+00" + (year > 0 ? "" : " BC")
    }

    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> (Int64, Int64) {
        var (quotient, remainder) = value.quotientAndRemainder(dividingBy: divisor)
        if remainder < 0 { quotient -= 1; remainder += divisor }
        return (quotient, remainder)
    }

    /// Proleptic Gregorian date from days since 1970-01-01 (Howard Hinnant's `civil_from_days`).
    private static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

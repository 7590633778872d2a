public import Foundation

/// The fields of `google.protobuf.Timestamp`; the generated struct conforms and gains `Date`
/// conversion and its RFC 3339 JSON form from this extension.
public protocol ProtoTimestampFields {
    /// Seconds since 1970-01-01T00:00:00Z.
    var seconds: Int64 { get set }
    /// Non-negative nanoseconds past `seconds`, below 1e9.
    var nanos: Int32 { get set }
    /// The Unix epoch.
    init()
}

/// The fields of `google.protobuf.Duration`; the generated struct conforms and gains
/// conversions and its `"1.5s"` JSON form from this extension.
public protocol ProtoDurationFields {
    /// Whole seconds, negative for negative durations.
    var seconds: Int64 { get set }
    /// Nanoseconds with the sign of `seconds` (or either sign when `seconds` is 0).
    var nanos: Int32 { get set }
    /// A zero duration.
    init()
}

private let nanosPerSecond: Int64 = 1_000_000_000
/// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z, the range the JSON mapping allows.
private let timestampRange: ClosedRange<Int64> = -62_135_596_800...253_402_300_799
private let durationLimit: Int64 = 315_576_000_000

extension ProtoTimestampFields {
    /// The instant `date`, to the nanosecond that `Date` can represent.
    public init(date: Date) {
        self.init()
        let interval = date.timeIntervalSince1970
        var whole = interval.rounded(.down)
        var fraction = ((interval - whole) * 1e9).rounded()
        if fraction >= 1e9 { whole += 1; fraction -= 1e9 }
        seconds = Int64(whole)
        nanos = Int32(fraction)
    }

    /// This instant as a `Date` (sub-microsecond precision may be lost to `Double`).
    public var date: Date {
        Date(timeIntervalSince1970: Double(seconds) + Double(nanos) / 1e9)
    }

    /// RFC 3339 in UTC with 0, 3, 6 or 9 fractional digits, e.g. `1972-01-01T10:00:20.021Z`.
    ///
    /// - Throws: `EncodingError` when outside years 1–9999 or `nanos` is out of range.
    public func protoJSONString() throws -> String {
        guard timestampRange.contains(seconds), (0..<1_000_000_000).contains(nanos) else {
            throw EncodingError.invalidValue(seconds, .init(codingPath: [], debugDescription: "Timestamp out of range"))
        }
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = civil(fromDays: days)
        let text = pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T"
            + pad(secondOfDay / 3600, 2) + ":" + pad(secondOfDay / 60 % 60, 2) + ":" + pad(secondOfDay % 60, 2)
        return text + fractionDigits(Int64(nanos)) + "Z"
    }

    /// Parses RFC 3339 (`Z` or a `±hh:mm` offset, up to 9 fractional digits).
    ///
    /// - Throws: `DecodingError.dataCorrupted` when malformed or out of range.
    public init(protoJSONString text: String) throws {
        self.init()
        let chars = Array(text.utf8)
        var scanner = DigitScanner(chars: chars)
        func bad() -> DecodingError {
            .dataCorrupted(.init(codingPath: [], debugDescription: "invalid Timestamp \(text)"))
        }
        guard let year = scanner.digits(4), scanner.skip("-"), let month = scanner.digits(2), scanner.skip("-"),
              let day = scanner.digits(2), scanner.skip("T") || scanner.skip("t"),
              let hour = scanner.digits(2), scanner.skip(":"), let minute = scanner.digits(2), scanner.skip(":"),
              let second = scanner.digits(2),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 60
        else { throw bad() }
        guard let fraction = scanner.fraction() else { throw bad() }
        var offset: Int64 = 0
        if scanner.skip("Z") || scanner.skip("z") {
        } else if let sign = scanner.sign(), let offsetHours = scanner.digits(2), scanner.skip(":"),
                  let offsetMinutes = scanner.digits(2) {
            offset = sign * (offsetHours * 3600 + offsetMinutes * 60)
        } else {
            throw bad()
        }
        guard scanner.atEnd else { throw bad() }
        let total = days(fromCivil: year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset
        guard timestampRange.contains(total) else { throw bad() }
        seconds = total
        nanos = Int32(fraction)
    }
}

extension ProtoDurationFields {
    /// A duration of `interval` seconds, rounded to the nanosecond.
    public init(timeInterval interval: TimeInterval) {
        self.init()
        let whole = interval.rounded(.towardZero)
        seconds = Int64(whole)
        nanos = Int32(((interval - whole) * 1e9).rounded())
    }

    /// A duration equal to `duration`, truncated to the nanosecond.
    public init(_ duration: Swift.Duration) {
        self.init()
        let (wholeSeconds, attoseconds) = duration.components
        seconds = wholeSeconds
        nanos = Int32(attoseconds / 1_000_000_000)
    }

    /// This duration in seconds.
    public var timeInterval: TimeInterval { Double(seconds) + Double(nanos) / 1e9 }

    /// This duration as a Swift `Duration`.
    public var duration: Swift.Duration {
        .seconds(seconds) + .nanoseconds(Int64(nanos))
    }

    /// Seconds with 0, 3, 6 or 9 fractional digits and an `s`, e.g. `-1.500s`.
    ///
    /// - Throws: `EncodingError` when out of the ±10,000-year range or signs disagree.
    public func protoJSONString() throws -> String {
        guard (-durationLimit...durationLimit).contains(seconds), (-999_999_999...999_999_999).contains(nanos),
              !(seconds > 0 && nanos < 0), !(seconds < 0 && nanos > 0)
        else {
            throw EncodingError.invalidValue(seconds, .init(codingPath: [], debugDescription: "Duration out of range"))
        }
        let negative = seconds < 0 || nanos < 0
        return (negative ? "-" : "") + String(seconds.magnitude) + fractionDigits(Int64(nanos.magnitude)) + "s"
    }

    /// Parses `[-]seconds[.fraction]s`.
    ///
    /// - Throws: `DecodingError.dataCorrupted` when malformed or out of range.
    public init(protoJSONString text: String) throws {
        self.init()
        var scanner = DigitScanner(chars: Array(text.utf8))
        func bad() -> DecodingError {
            .dataCorrupted(.init(codingPath: [], debugDescription: "invalid Duration \(text)"))
        }
        let negative = scanner.skip("-")
        guard let whole = scanner.number(maxDigits: 12), let fraction = scanner.fraction(), scanner.skip("s"),
              scanner.atEnd, whole <= durationLimit
        else { throw bad() }
        seconds = negative ? -whole : whole
        nanos = Int32(negative ? -fraction : fraction)
    }
}

/// `.` and 3, 6 or 9 digits, or nothing when `nanos` is 0.
private func fractionDigits(_ nanos: Int64) -> String {
    if nanos == 0 { return "" }
    if nanos % 1_000_000 == 0 { return "." + pad(nanos / 1_000_000, 3) }
    if nanos % 1_000 == 0 { return "." + pad(nanos / 1_000, 6) }
    return "." + pad(nanos, 9)
}

private func pad(_ value: Int64, _ width: Int) -> String {
    let digits = String(value)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
}

/// Year, month, day of a day count since 1970-01-01 (proleptic Gregorian; H. Hinnant's algorithm).
private func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let dayOfEra = z - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let monthIndex = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
    let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
    return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
private func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yearOfEra = y - era * 400
    let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    return era * 146_097 + dayOfEra - 719_468
}

/// Reads fixed-width ASCII fields of a timestamp or duration.
private struct DigitScanner {
    let chars: [UInt8]
    var position = 0

    var atEnd: Bool { position == chars.count }

    mutating func skip(_ character: Unicode.Scalar) -> Bool {
        guard position < chars.count, chars[position] == UInt8(character.value) else { return false }
        position += 1
        return true
    }

    mutating func sign() -> Int64? {
        if skip("+") { return 1 }
        if skip("-") { return -1 }
        return nil
    }

    /// Exactly `count` digits.
    mutating func digits(_ count: Int) -> Int64? {
        guard chars.count - position >= count else { return nil }
        var value: Int64 = 0
        for _ in 0..<count {
            let char = chars[position]
            guard char >= 48, char <= 57 else { return nil }
            value = value * 10 + Int64(char - 48)
            position += 1
        }
        return value
    }

    /// One to `maxDigits` digits.
    mutating func number(maxDigits: Int) -> Int64? {
        let start = position
        var value: Int64 = 0
        while position < chars.count, chars[position] >= 48, chars[position] <= 57, position - start < maxDigits {
            value = value * 10 + Int64(chars[position] - 48)
            position += 1
        }
        return position > start ? value : nil
    }

    /// An optional `.` and 1–9 digits, as nanoseconds; 0 when absent, nil when malformed.
    mutating func fraction() -> Int64? {
        guard skip(".") else { return 0 }
        let start = position
        guard let value = number(maxDigits: 9) else { return nil }
        var nanos = value
        for _ in 0..<(9 - (position - start)) { nanos *= 10 }
        return nanos
    }
}

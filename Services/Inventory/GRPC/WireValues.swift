import Foundation
import BoxOfficeAPI
import BoxOfficeProto

/// Checked conversions of the well-known wire types into domain values: a malformed value is
/// INVALID_ARGUMENT naming the field, never a silent clamp.
enum WireValues {
    /// The instant in `timestamp`, or `nil` when the field is absent.
    static func date(_ timestamp: Google_Protobuf_Timestamp?, field: String) throws(InventoryError) -> Date? {
        guard let timestamp else { return nil }
        guard (0..<1_000_000_000).contains(timestamp.nanos),
              (-62_135_596_800...253_402_300_799).contains(timestamp.seconds) else {
            throw .invalidArgument("\(field) is not a valid timestamp (seconds \(timestamp.seconds), nanos \(timestamp.nanos))")
        }
        return timestamp.date
    }

    /// The span in `duration`, or `nil` when the field is absent.
    static func duration(_ duration: Google_Protobuf_Duration?, field: String) throws(InventoryError) -> Duration? {
        guard let duration else { return nil }
        guard (-999_999_999...999_999_999).contains(duration.nanos),
              !(duration.seconds > 0 && duration.nanos < 0), !(duration.seconds < 0 && duration.nanos > 0),
              (-315_576_000_000...315_576_000_000).contains(duration.seconds) else {
            throw .invalidArgument("\(field) is not a valid duration (seconds \(duration.seconds), nanos \(duration.nanos))")
        }
        return duration.duration
    }

    /// `value` as an `Int32` field, saturating (counts of one event never come near the limit).
    static func int32(_ value: Int) -> Int32 { Int32(clamping: value) }

    /// Wire money.
    static func money(_ money: Money) -> Boxoffice_Common_V1_Money {
        var wire = Boxoffice_Common_V1_Money()
        wire.amountMinor = money.amountMinor
        wire.currency = money.currency
        return wire
    }

    /// Wire timestamp.
    static func timestamp(_ date: Date) -> Google_Protobuf_Timestamp { Google_Protobuf_Timestamp(date: date) }
}

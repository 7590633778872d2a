import BoxOfficeRPC
public import Foundation

/// One request a client sent during a drop and its outcome as that client saw it: a line of the
/// client history (`--history FILE`, JSON lines), the raw material of the history checker.
///
/// Fields that do not apply to the call are absent from the JSON. Times are Unix epoch seconds,
/// so records line up with database timestamps. Keys are stable: a checker may rely on them.
public struct HistoryRecord: Codable, Sendable, Hashable {
    /// Order in which calls finished, from 1, unique in one history.
    public var seq: Int
    /// The shopper (the `user_id` sent), or `drop` for the driver's own calls.
    public var user: String
    /// The method called.
    public var op: HistoryOperation
    /// When the call started.
    public var start: Double
    /// When the client learnt the outcome.
    public var end: Double
    /// ok, failed (the server definitely refused) or unknown (it may or may not have happened).
    public var outcome: HistoryOutcome
    /// The gRPC status name when not OK (e.g. `DEADLINE_EXCEEDED`).
    public var code: String?
    /// The status message, or the local error, when not OK.
    public var message: String?
    /// The event the call was about.
    public var event: Int64?
    /// The booking sent, or the booking the answer carried.
    public var booking: String?
    /// The idempotency key sent with a mutating call.
    public var key: String?
    /// The payment token sent with Checkout.
    public var token: String?
    /// What HoldSeats asked for: `specific:1,2`, `best:S3x2` or `ga:GAx2`.
    public var selection: String?
    /// The state answered: a booking status (`CONFIRMED`, …) or a queue state (`ADMITTED`, …).
    public var status: String?
    /// The seat ids the answered booking holds or owns.
    public var seats: [Int64]?
    /// The GA units the answered booking holds or owns.
    public var ga: Int?
    /// The answered booking's amount in minor units.
    public var amount: Int64?
    /// The payment outcome the answered booking carries (`CAPTURED`, `DECLINED`, …).
    public var payment: String?

    /// A record of a call by `user` to `op`, without details yet.
    public init(seq: Int = 0, user: String, op: HistoryOperation, start: Double, end: Double, outcome: HistoryOutcome) {
        self.seq = seq
        self.user = user
        self.op = op
        self.start = start
        self.end = end
        self.outcome = outcome
    }

    /// Reads a history file: one JSON record per line, blank lines skipped.
    ///
    /// - Throws: the decoding error of the first bad line, with its line number.
    public static func read(contentsOf url: URL) throws -> [HistoryRecord] {
        let text = try String(contentsOf: url, encoding: .utf8)
        let decoder = JSONDecoder()
        var records: [HistoryRecord] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where !line.allSatisfy(\.isWhitespace) {
            do {
                records.append(try decoder.decode(HistoryRecord.self, from: Data(line.utf8)))
            } catch {
                throw HistoryFileError(message: "history line \(index + 1) is not a record: \(error)")
            }
        }
        return records
    }
}

/// A history file that cannot be read or written.
public struct HistoryFileError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, with the path or line.
    public var message: String
    public var description: String { message }
}

/// The calls a drop makes, named as their gRPC methods.
public enum HistoryOperation: String, Codable, Sendable, Hashable, CaseIterable, Comparable {
    case createEvent = "CreateEvent"
    case getAvailability = "GetAvailability"
    case enterQueue = "EnterQueue"
    case getQueueStatus = "GetQueueStatus"
    case watchQueue = "WatchQueue"
    case holdSeats = "HoldSeats"
    case checkout = "Checkout"
    case getBooking = "GetBooking"
    case cancelBooking = "CancelBooking"

    /// Whether the call may change state (so an unknown outcome matters to a checker).
    public var isMutating: Bool {
        switch self {
        case .createEvent, .enterQueue, .holdSeats, .checkout, .cancelBooking: true
        case .getAvailability, .getQueueStatus, .watchQueue, .getBooking: false
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// A call's outcome as the client saw it.
public enum HistoryOutcome: String, Codable, Sendable, Hashable, CaseIterable {
    /// The call returned its answer.
    case ok
    /// The server refused it: it had no effect.
    case failed
    /// No definite answer (a timeout, a lost connection, an internal error): it may have taken effect.
    case unknown

    /// How the client must read an error: a status that proves the call had no effect is `failed`,
    /// anything else (deadline, unavailable, cancelled, internal, unknown, data loss, a local error)
    /// is `unknown`.
    public init(error: any Error) {
        guard let rpcError = error as? RPCError else {
            self = .unknown
            return
        }
        switch rpcError.code {
        case .invalidArgument, .notFound, .alreadyExists, .permissionDenied, .resourceExhausted,
             .failedPrecondition, .aborted, .outOfRange, .unimplemented, .unauthenticated:
            self = .failed
        default:
            self = .unknown
        }
    }
}

extension RPCError.Code {
    /// The canonical upper-case name (`DEADLINE_EXCEEDED`), or `CODE_<n>` for a code outside 0…16.
    var statusName: String {
        let names = ["OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
                     "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
                     "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"]
        return names.indices.contains(rawValue) ? names[rawValue] : "CODE_\(rawValue)"
    }
}

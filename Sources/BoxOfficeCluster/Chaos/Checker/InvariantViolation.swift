/// One broken promise found by the ``HistoryChecker``, with the records that show it.
public struct InvariantViolation: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Which promise was broken.
    public var kind: Kind
    /// One line saying what is wrong, naming the booking, seat, hold or payment.
    public var summary: String
    /// The rows and client records behind the finding, one per line (`table id: fields`).
    public var evidence: [String]

    /// Creates a violation.
    public init(_ kind: Kind, _ summary: String, evidence: [String] = []) {
        self.kind = kind
        self.summary = summary
        self.evidence = evidence
    }

    /// `[kind] summary` followed by the evidence, indented.
    public var description: String {
        ([("[\(kind.rawValue)] \(summary)")] + evidence.map { "    \($0)" }).joined(separator: "\n")
    }

    /// The kinds of violation, grouped by the invariant of ARCHITECTURE.md §4 they break.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// Invariant 1: one seat in two sales (or two confirmed bookings).
        case seatSoldTwice
        /// Invariant 1: more seats or GA units sold than the event or pool has.
        case oversold
        /// Invariant 1: the sale records disagree with each other (a seat marked sold without a sale, a
        /// pool's sold counter not the sum of its sales): the audit cannot vouch for the count.
        case saleRecordsDisagree
        /// Invariant 3: the client was told CONFIRMED, and the databases do not have the booking as sold and paid.
        case lostConfirmedBooking
        /// Invariant 2: money was captured and neither a confirmed booking nor a refund accounts for it.
        case capturedWithoutOutcome
        /// Invariant 2: a confirmed booking without a captured payment, or one both confirmed and refunded.
        case ticketMoneyMismatch
        /// Invariant 2: one booking (or one hold) charged more than once.
        case chargedTwice
        /// A client call whose outcome was unknown (a timeout) that the system never settled.
        case unresolvedUnknownOutcome
        /// Invariant 5: a saga, payment or outcome delivery still in flight after convergence.
        case sagaNotTerminal
        /// Invariant 4: a hold not pinned by a pending payment still live past its TTL plus the sweep interval.
        case staleHold
        /// Redis's seat statuses or counters differ from PostgreSQL after convergence.
        case hotStoreDrift

        /// The ARCHITECTURE.md §4 invariant this kind breaks (0 for checks beyond the numbered list).
        public var invariant: Int {
            switch self {
            case .seatSoldTwice, .oversold, .saleRecordsDisagree: 1
            case .capturedWithoutOutcome, .ticketMoneyMismatch, .chargedTwice: 2
            case .lostConfirmedBooking: 3
            case .staleHold: 4
            case .sagaNotTerminal, .unresolvedUnknownOutcome: 5
            case .hotStoreDrift: 0
            }
        }
    }
}

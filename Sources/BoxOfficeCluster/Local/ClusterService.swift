/// One of the four BoxOffice service processes a local cluster runs.
public enum ClusterService: String, Sendable, Hashable, CaseIterable, Codable, CustomStringConvertible {
    /// Seats, holds and sales (`boxoffice serve inventory`).
    case inventory
    /// The front door: waiting room, limits, the saga (`boxoffice serve booking`).
    case booking
    /// Charges, webhooks, reconciliation (`boxoffice serve payment`).
    case payment
    /// The payment provider simulator (`boxoffice serve provider-sim`).
    case providerSimulator = "provider-sim"

    /// The name in `boxoffice serve <name>`, in `ENDPOINT`/`PID` lines and in `--service-env`.
    public var name: String { rawValue }

    /// The command-line name.
    public var description: String { rawValue }

    /// The port is the cluster's base port plus this.
    public var portOffset: Int {
        switch self {
        case .inventory: 0
        case .booking: 1
        case .payment: 2
        case .providerSimulator: 3
        }
    }

    /// The suffix of the service's own database (`<name>_<suffix>`); nil for the simulator, which keeps none.
    public var databaseSuffix: String? {
        switch self {
        case .inventory: "inventory"
        case .booking: "booking"
        case .payment: "payment"
        case .providerSimulator: nil
        }
    }

    /// The service for a name as written on the command line, or nil.
    public init?(name: String) {
        self.init(rawValue: name)
    }
}

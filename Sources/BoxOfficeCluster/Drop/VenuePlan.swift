public import BoxOfficeAPI

/// The venue a drop sells: reserved seats in sections of equal rows, plus one general-admission
/// pool, and where each seat id lies so shoppers can ask for specific adjacent seats.
///
/// Seat ids are 1 … `seatCount` in seat-map order (sections, rows, seats), as inventory numbers them.
public struct VenuePlan: Sendable, Hashable {
    /// One row: `seatCount` adjacent seats with ids `firstSeatID …`.
    public struct Row: Sendable, Hashable {
        /// The row label.
        public var label: String
        /// The id of its first seat.
        public var firstSeatID: Int64
        /// Seats in the row.
        public var seatCount: Int
    }

    /// One section of rows, all at one price tier.
    public struct Section: Sendable, Hashable {
        /// The section code.
        public var code: String
        /// Its price tier code.
        public var priceTier: String
        /// Its rows, front first.
        public var rows: [Row]
    }

    /// Price tier codes and their prices in minor units (USD).
    public static let tierPrices: [(code: String, name: String, minor: Int64)] = [
        ("premium", "Premium", 12_000), ("standard", "Standard", 6_500), ("ga", "General admission", 4_500),
    ]

    /// The sections, in seat-map order.
    public let sections: [Section]
    /// The general-admission pool's code.
    public let generalAdmissionPool = "GA"
    /// General-admission units.
    public let generalAdmissionCapacity: Int
    /// Reserved seats.
    public var seatCount: Int { sections.reduce(0) { $0 + $1.rows.reduce(0) { $0 + $1.seatCount } } }
    /// Everything for sale: seats plus GA units.
    public var capacity: Int { seatCount + generalAdmissionCapacity }

    /// A venue of `seatCount` seats in sections of at most `sectionSize` seats (rows of `seatsPerRow`),
    /// the front fifth of the sections premium, and a GA pool of `generalAdmissionCapacity` (0 for none).
    ///
    /// - Precondition: counts are not negative, `seatsPerRow` and `sectionSize` are positive.
    public init(seatCount: Int, generalAdmissionCapacity: Int, seatsPerRow: Int = 25, sectionSize: Int = 500) {
        precondition(seatCount >= 0 && generalAdmissionCapacity >= 0 && seatsPerRow > 0 && sectionSize > 0)
        let perSection = max(seatsPerRow, sectionSize / seatsPerRow * seatsPerRow)
        let sectionTotal = (seatCount + perSection - 1) / perSection
        let premiumSections = max(sectionTotal > 1 ? 1 : 0, sectionTotal / 5)
        var sections: [Section] = []
        var nextID: Int64 = 1
        var remaining = seatCount
        for index in 0..<sectionTotal {
            var rows: [Row] = []
            var inSection = min(perSection, remaining)
            while inSection > 0 {
                let count = min(seatsPerRow, inSection)
                rows.append(Row(label: Self.rowLabel(rows.count), firstSeatID: nextID, seatCount: count))
                nextID += Int64(count)
                inSection -= count
                remaining -= count
            }
            sections.append(Section(code: "S\(index + 1)", priceTier: index < premiumSections ? "premium" : "standard",
                                    rows: rows))
        }
        self.sections = sections
        self.generalAdmissionCapacity = generalAdmissionCapacity
    }

    /// Row labels A … Z, then AA, AB, …
    static func rowLabel(_ index: Int) -> String {
        let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        return index < 26 ? String(letters[index]) : String(letters[index / 26 - 1]) + String(letters[index % 26])
    }

    /// The seat map CreateEvent takes.
    public var seatMap: Boxoffice_Inventory_V1_SeatMap {
        var map = Boxoffice_Inventory_V1_SeatMap()
        let usedTiers = Set(sections.map(\.priceTier) + (generalAdmissionCapacity > 0 ? ["ga"] : []))
        map.priceTiers = Self.tierPrices.filter { usedTiers.contains($0.code) }.map { tier in
            var priceTier = Boxoffice_Inventory_V1_PriceTier()
            priceTier.code = tier.code
            priceTier.name = tier.name
            var price = Boxoffice_Common_V1_Money()
            price.amountMinor = tier.minor
            price.currency = "USD"
            priceTier.price = price
            return priceTier
        }
        map.sections = sections.map { section in
            var spec = Boxoffice_Inventory_V1_SectionSpec()
            spec.code = section.code
            spec.name = "Section \(section.code.dropFirst())"
            spec.priceTier = section.priceTier
            spec.rows = section.rows.map { row in
                var rowSpec = Boxoffice_Inventory_V1_RowSpec()
                rowSpec.label = row.label
                rowSpec.seatCount = Int32(row.seatCount)
                rowSpec.firstNumber = 1
                return rowSpec
            }
            return spec
        }
        if generalAdmissionCapacity > 0 {
            var pool = Boxoffice_Inventory_V1_GeneralAdmissionPoolSpec()
            pool.code = generalAdmissionPool
            pool.name = "Floor"
            pool.priceTier = "ga"
            pool.capacity = Int32(generalAdmissionCapacity)
            map.gaPools = [pool]
        }
        return map
    }

    /// `quantity` adjacent seat ids somewhere in `section` (a random row and start), or nil when no
    /// row of the section is that long.
    public func adjacentSeats(in section: Section, quantity: Int, using random: inout some RandomNumberGenerator) -> [Int64]? {
        let fitting = section.rows.filter { $0.seatCount >= quantity }
        guard quantity > 0, let row = fitting.randomElement(using: &random) else { return nil }
        let start = Int.random(in: 0...(row.seatCount - quantity), using: &random)
        return (0..<quantity).map { row.firstSeatID + Int64(start + $0) }
    }
}

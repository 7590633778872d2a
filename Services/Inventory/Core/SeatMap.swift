/// A price level; sections, rows and GA pools point at one by code (`PriceTier`).
public struct PriceTier: Sendable, Hashable, Codable {
    /// Unique within the event.
    public var code: String
    /// Display name.
    public var name: String
    /// Price of one seat or GA unit.
    public var price: Money

    /// Creates a tier.
    public init(code: String, name: String = "", price: Money) {
        self.code = code
        self.name = name
        self.price = price
    }
}

/// One row of a section: seats `firstNumber ..< firstNumber + seatCount`, adjacent in that order (`RowSpec`).
public struct RowSpec: Sendable, Hashable, Codable {
    /// Row label, unique within its section ("A", "12").
    public var label: String
    /// Number of seats in the row.
    public var seatCount: Int
    /// Number of the first seat; 0 (the proto3 default) means 1.
    public var firstNumber: Int
    /// Overrides the section's tier when non-empty.
    public var priceTier: String

    /// Creates a row.
    public init(label: String, seatCount: Int, firstNumber: Int = 1, priceTier: String = "") {
        self.label = label
        self.seatCount = seatCount
        self.firstNumber = firstNumber
        self.priceTier = priceTier
    }
}

/// A section of reserved seats (`SectionSpec`).
public struct SectionSpec: Sendable, Hashable, Codable {
    /// Unique within the event.
    public var code: String
    /// Display name.
    public var name: String
    /// Tier of every row that does not override it.
    public var priceTier: String
    /// Rows front to back: the first row is the best one.
    public var rows: [RowSpec]

    /// Creates a section.
    public init(code: String, name: String = "", priceTier: String, rows: [RowSpec]) {
        self.code = code
        self.name = name
        self.priceTier = priceTier
        self.rows = rows
    }
}

/// A general-admission pool: `capacity` interchangeable units (`GeneralAdmissionPoolSpec`).
public struct GeneralAdmissionPoolSpec: Sendable, Hashable, Codable {
    /// Unique within the event (and distinct from section codes).
    public var code: String
    /// Display name.
    public var name: String
    /// Tier of every unit.
    public var priceTier: String
    /// Number of units.
    public var capacity: Int

    /// Creates a pool.
    public init(code: String, name: String = "", priceTier: String, capacity: Int) {
        self.code = code
        self.name = name
        self.priceTier = priceTier
        self.capacity = capacity
    }
}

/// The compact layout an event is created from (`SeatMap`); ``SeatMapValidator`` checks it and
/// expands it into an ``EventLayout``.
public struct SeatMap: Sendable, Hashable, Codable {
    /// Every tier the map uses.
    public var priceTiers: [PriceTier]
    /// Reserved-seating sections.
    public var sections: [SectionSpec]
    /// General-admission pools.
    public var gaPools: [GeneralAdmissionPoolSpec]

    /// Creates a seat map.
    public init(priceTiers: [PriceTier], sections: [SectionSpec] = [], gaPools: [GeneralAdmissionPoolSpec] = []) {
        self.priceTiers = priceTiers
        self.sections = sections
        self.gaPools = gaPools
    }
}

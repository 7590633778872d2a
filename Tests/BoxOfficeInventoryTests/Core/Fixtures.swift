import Foundation
import BoxOfficeInventory

/// Small seat maps and events shared by the pure tests.
enum Fixtures {
    static func usd(_ amount: Int64) -> Money { Money(amountMinor: amount, currency: "USD") }

    /// Two sections: FLOOR (tier A, rows A and B of 10 seats, row B overridden to tier B) and
    /// BALC (tier B, three rows of 6), plus a GA pool of 50.
    static let seatMap = SeatMap(
        priceTiers: [PriceTier(code: "A", name: "Front", price: usd(10_000)),
                     PriceTier(code: "B", name: "Back", price: usd(5_000))],
        sections: [
            SectionSpec(code: "FLOOR", priceTier: "A",
                        rows: [RowSpec(label: "A", seatCount: 10), RowSpec(label: "B", seatCount: 10, priceTier: "B")]),
            SectionSpec(code: "BALC", priceTier: "B",
                        rows: [RowSpec(label: "1", seatCount: 6, firstNumber: 101), RowSpec(label: "2", seatCount: 6),
                               RowSpec(label: "3", seatCount: 6)]),
        ],
        gaPools: [GeneralAdmissionPoolSpec(code: "PIT", priceTier: "B", capacity: 50)])

    static let epoch = Date(millisecondsSince1970: 1_800_000_000_000)

    static func event(cap: Int = 6, saleStartsAt: Date = epoch) throws -> Event {
        Event(id: 7, name: "Show", venue: "Hall", startsAt: nil, saleStartsAt: saleStartsAt, holdTTL: .seconds(600),
              maxTicketsPerHolder: cap, layout: try EventLayout(validating: seatMap), createdAt: epoch)
    }

    static func hold(status: HoldStatus = .active, expiresIn: Duration = .seconds(60), pinnedUntil: Date? = nil,
                     orderReference: String? = nil) -> Hold {
        Hold(id: "h1", eventID: 7, holderID: "alice", status: status, totalPrice: usd(100), createdAt: epoch,
             expiresAt: epoch.adding(expiresIn), pinnedUntil: pinnedUntil, orderReference: orderReference)
    }
}

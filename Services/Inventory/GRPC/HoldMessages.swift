import Foundation
import BoxOfficeAPI
import BoxOfficeProto

/// `HoldSeatsRequest` → ``HoldRequest`` and ``Hold``, ``Sale``, ``Seat`` → their wire forms.
enum HoldMessages {
    /// The domain request; quantities and ids are checked by ``HoldRequestValidator``.
    static func request(_ wire: Boxoffice_Inventory_V1_HoldSeatsRequest) throws(InventoryError) -> HoldRequest {
        let selection: HoldSelection
        switch wire.selection {
        case .specificSeats(let seats)?:
            selection = .specificSeats(seats.seatIds)
        case .bestAvailable(let best)?:
            selection = .bestAvailable(quantity: Int(best.quantity), sectionCode: best.sectionCode.isEmpty ? nil : best.sectionCode,
                                       priceTier: best.priceTier.isEmpty ? nil : best.priceTier)
        case .generalAdmission(let ga)?:
            guard !ga.poolCode.isEmpty else { throw .invalidArgument("general_admission.pool_code is required") }
            selection = .generalAdmission(poolCode: ga.poolCode, quantity: Int(ga.quantity))
        case nil:
            throw .invalidArgument("selection is required: specific_seats, best_available or general_admission")
        }
        return HoldRequest(eventID: wire.eventID, holderID: wire.holderID, selection: selection,
                           ttl: try WireValues.duration(wire.ttl, field: "ttl"), idempotencyKey: wire.idempotencyKey)
    }

    /// The wire form of `hold`.
    static func wire(_ hold: Hold) -> Boxoffice_Inventory_V1_Hold {
        var wire = Boxoffice_Inventory_V1_Hold()
        wire.id = hold.id
        wire.eventID = hold.eventID
        wire.holderID = hold.holderID
        wire.status = status(hold.status)
        wire.seats = hold.seats.map(seat)
        wire.gaPoolCode = hold.gaPoolCode ?? ""
        wire.gaQuantity = WireValues.int32(hold.gaQuantity)
        wire.totalPrice = WireValues.money(hold.totalPrice)
        wire.createdAt = WireValues.timestamp(hold.createdAt)
        wire.expiresAt = WireValues.timestamp(hold.expiresAt)
        wire.pinnedUntil = hold.pinnedUntil.map(WireValues.timestamp)
        wire.orderReference = hold.orderReference ?? ""
        return wire
    }

    /// The wire form of `sale`.
    static func wire(_ sale: Sale) -> Boxoffice_Inventory_V1_Sale {
        var wire = Boxoffice_Inventory_V1_Sale()
        wire.id = sale.id
        wire.holdID = sale.holdID
        wire.eventID = sale.eventID
        wire.holderID = sale.holderID
        wire.seatIds = sale.seatIDs
        wire.gaPoolCode = sale.gaPoolCode ?? ""
        wire.gaQuantity = WireValues.int32(sale.gaQuantity)
        wire.totalPrice = WireValues.money(sale.totalPrice)
        wire.soldAt = WireValues.timestamp(sale.soldAt)
        wire.orderReference = sale.orderReference
        return wire
    }

    /// The wire form of `seat`.
    static func seat(_ seat: Seat) -> Boxoffice_Inventory_V1_Seat {
        var wire = Boxoffice_Inventory_V1_Seat()
        wire.id = seat.id
        wire.sectionCode = seat.sectionCode
        wire.row = seat.row
        wire.number = WireValues.int32(seat.number)
        wire.position = WireValues.int32(seat.position)
        wire.priceTier = seat.priceTier
        wire.status = switch seat.status {
        case .available: .available
        case .held: .held
        case .sold: .sold
        }
        wire.holdID = seat.holdID ?? ""
        wire.version = seat.version
        return wire
    }

    static func status(_ status: HoldStatus) -> Boxoffice_Inventory_V1_HoldStatus {
        switch status {
        case .active: .active
        case .pinned: .pinned
        case .confirmed: .confirmed
        case .released: .released
        case .expired: .expired
        }
    }
}

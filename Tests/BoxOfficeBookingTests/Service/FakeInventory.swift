import BoxOfficeAPI
import BoxOfficeRPC
import Foundation
import Synchronization

/// An inventory gRPC server for the driver tests: holds are granted (or refused, failed, delayed)
/// as the test scripts, and every call is recorded with its idempotency key.
final class FakeInventory: Boxoffice_Inventory_V1_InventoryService.SimpleServiceProtocol, Sendable {
    /// How the next calls of a kind behave.
    enum Behaviour: Sendable {
        case answer
        case fail(RPCError.Code, times: Int)
        case refuse(RPCError.Code, String)
    }

    struct State {
        var holdTTL: Duration = .seconds(600)
        var hold: Behaviour = .answer
        var pin: Behaviour = .answer
        var confirm: Behaviour = .answer
        var release: Behaviour = .answer
        var holdDelay: Duration = .zero
        var calls: [(kind: String, key: String)] = []
        var released: Set<String> = []
        var confirmed: Set<String> = []
        var holdsByKey: [String: Boxoffice_Inventory_V1_Hold] = [:]
    }

    let state = Mutex(State())

    func configure(_ change: (inout State) -> Void) { state.withLock { change(&$0) } }

    func calls(_ kind: String) -> [String] { state.withLock { $0.calls.filter { $0.kind == kind }.map(\.key) } }

    /// Applies the behaviour of `kind`: throws while it says to, counting failures down.
    private func gate(_ kind: String, key: String, _ behaviour: WritableKeyPath<State, Behaviour>) throws {
        try state.withLock { state in
            state.calls.append((kind, key))
            switch state[keyPath: behaviour] {
            case .answer:
                return
            case .fail(let code, let times):
                state[keyPath: behaviour] = times > 1 ? .fail(code, times: times - 1) : .answer
                throw RPCError(code: code, message: "scripted \(kind) failure")
            case .refuse(let code, let message):
                throw RPCError(code: code, message: message)
            }
        }
    }

    func holdSeats(request: Boxoffice_Inventory_V1_HoldSeatsRequest,
                   context: ServerContext) async throws -> Boxoffice_Inventory_V1_HoldSeatsResponse {
        let delay = state.withLock { $0.holdDelay }
        if delay > .zero { try await Task.sleep(for: delay) }
        try gate("hold", key: request.idempotencyKey, \.hold)
        let hold = state.withLock { state -> Boxoffice_Inventory_V1_Hold in
            if let existing = state.holdsByKey[request.idempotencyKey] { return existing }
            var hold = Boxoffice_Inventory_V1_Hold()
            hold.id = "hold-\(state.holdsByKey.count + 1)-\(UUID().uuidString.prefix(8))"
            hold.eventID = request.eventID
            hold.holderID = request.holderID
            hold.status = .active
            var quantity: Int32 = 1
            switch request.selection {
            case .generalAdmission(let ga)?:
                hold.gaPoolCode = ga.poolCode
                hold.gaQuantity = ga.quantity
                quantity = ga.quantity
            case .specificSeats(let seats)?:
                hold.seats = seats.seatIds.map { id in
                    var seat = Boxoffice_Inventory_V1_Seat()
                    seat.id = id
                    seat.sectionCode = "A"
                    seat.row = "1"
                    seat.number = Int32(id)
                    seat.priceTier = "std"
                    return seat
                }
                quantity = Int32(seats.seatIds.count)
            case .bestAvailable(let best)?:
                quantity = best.quantity
            case nil:
                break
            }
            var price = Boxoffice_Common_V1_Money()
            price.amountMinor = 5_000 * Int64(quantity)
            price.currency = "USD"
            hold.totalPrice = price
            hold.expiresAt = Google_Protobuf_Timestamp(date: Date().addingTimeInterval(state.holdTTL.seconds))
            state.holdsByKey[request.idempotencyKey] = hold
            return hold
        }
        var response = Boxoffice_Inventory_V1_HoldSeatsResponse()
        response.hold = hold
        return response
    }

    func pinHold(request: Boxoffice_Inventory_V1_PinHoldRequest,
                 context: ServerContext) async throws -> Boxoffice_Inventory_V1_PinHoldResponse {
        try gate("pin", key: request.holdID, \.pin)
        var hold = Boxoffice_Inventory_V1_Hold()
        hold.id = request.holdID
        hold.status = .pinned
        hold.pinnedUntil = Google_Protobuf_Timestamp(date: Date().addingTimeInterval((request.pinFor?.duration ?? .zero).seconds))
        var response = Boxoffice_Inventory_V1_PinHoldResponse()
        response.hold = hold
        return response
    }

    func confirmHold(request: Boxoffice_Inventory_V1_ConfirmHoldRequest,
                     context: ServerContext) async throws -> Boxoffice_Inventory_V1_ConfirmHoldResponse {
        try gate("confirm", key: request.idempotencyKey, \.confirm)
        state.withLock { _ = $0.confirmed.insert(request.holdID) }
        return Boxoffice_Inventory_V1_ConfirmHoldResponse()
    }

    func releaseHold(request: Boxoffice_Inventory_V1_ReleaseHoldRequest,
                     context: ServerContext) async throws -> Boxoffice_Inventory_V1_ReleaseHoldResponse {
        try gate("release", key: request.idempotencyKey, \.release)
        state.withLock { _ = $0.released.insert(request.holdID) }
        return Boxoffice_Inventory_V1_ReleaseHoldResponse()
    }

    func createEvent(request: Boxoffice_Inventory_V1_CreateEventRequest,
                     context: ServerContext) async throws -> Boxoffice_Inventory_V1_CreateEventResponse {
        throw RPCError(code: .unimplemented, message: "fake")
    }

    func getEvent(request: Boxoffice_Inventory_V1_GetEventRequest,
                  context: ServerContext) async throws -> Boxoffice_Inventory_V1_GetEventResponse {
        throw RPCError(code: .unimplemented, message: "fake")
    }

    func getAvailability(request: Boxoffice_Inventory_V1_GetAvailabilityRequest,
                         context: ServerContext) async throws -> Boxoffice_Inventory_V1_GetAvailabilityResponse {
        throw RPCError(code: .unimplemented, message: "fake")
    }

    func getHold(request: Boxoffice_Inventory_V1_GetHoldRequest,
                 context: ServerContext) async throws -> Boxoffice_Inventory_V1_GetHoldResponse {
        throw RPCError(code: .unimplemented, message: "fake")
    }

    func checkConsistency(request: Boxoffice_Inventory_V1_CheckConsistencyRequest,
                          context: ServerContext) async throws -> Boxoffice_Inventory_V1_CheckConsistencyResponse {
        throw RPCError(code: .unimplemented, message: "fake")
    }
}

extension Duration {
    /// The duration in (fractional) seconds.
    var seconds: TimeInterval {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}

public import BoxOfficeAPI
public import BoxOfficeRPC

/// `boxoffice.inventory.v1.InventoryService` over ``Inventory``: maps each request to the domain,
/// each answer back, and each ``InventoryError`` to its gRPC status (INVALID_ARGUMENT, NOT_FOUND,
/// ALREADY_EXISTS, RESOURCE_EXHAUSTED for sold out / taken / cap reached, FAILED_PRECONDITION,
/// ABORTED, UNAVAILABLE while a store cannot be reached). Bad input changes nothing: every check
/// runs before the store decides.
///
/// Register with `registerMethods(with: &router)`.
public struct InventoryGRPCService: Boxoffice_Inventory_V1_InventoryService.SimpleServiceProtocol {
    /// The domain it serves.
    public let inventory: Inventory

    /// Creates the service over `inventory`.
    public init(inventory: Inventory) {
        self.inventory = inventory
    }

    public func createEvent(request: Boxoffice_Inventory_V1_CreateEventRequest, context: ServerContext) async throws
        -> Boxoffice_Inventory_V1_CreateEventResponse {
        try await answer {
            var response = Boxoffice_Inventory_V1_CreateEventResponse()
            response.event = EventMessages.wire(try await inventory.createEvent(try EventMessages.draft(request)))
            return response
        }
    }

    public func getEvent(request: Boxoffice_Inventory_V1_GetEventRequest, context: ServerContext) async throws
        -> Boxoffice_Inventory_V1_GetEventResponse {
        try await answer {
            var response = Boxoffice_Inventory_V1_GetEventResponse()
            response.event = EventMessages.wire(try await inventory.event(request.eventID))
            return response
        }
    }

    public func getAvailability(request: Boxoffice_Inventory_V1_GetAvailabilityRequest, context: ServerContext) async throws
        -> Boxoffice_Inventory_V1_GetAvailabilityResponse {
        try await answer {
            AvailabilityMessages.wire(try await inventory.availability(
                eventID: request.eventID, sectionCode: request.sectionCode.isEmpty ? nil : request.sectionCode))
        }
    }

    public func holdSeats(request: Boxoffice_Inventory_V1_HoldSeatsRequest, context: ServerContext) async throws
        -> Boxoffice_Inventory_V1_HoldSeatsResponse {
        try await answer {
            var response = Boxoffice_Inventory_V1_HoldSeatsResponse()
            response.hold = HoldMessages.wire(try await inventory.holdSeats(try HoldMessages.request(request)))
            return response
        }
    }

    public func confirmHold(request: Boxoffice_Inventory_V1_ConfirmHoldRequest, context: ServerContext) async throws
        -> Boxoffice_Inventory_V1_ConfirmHoldResponse {
        try await answer {
            try requireHolder(request.holdID, request.holderID)
            let (hold, sale) = try await inventory.confirmHold(holdID: request.holdID, holderID: request.holderID,
                                                               orderReference: request.orderReference)
            var response = Boxoffice_Inventory_V1_ConfirmHoldResponse()
            response.hold = HoldMessages.wire(hold)
            response.sale = HoldMessages.wire(sale)
            return response
        }
    }

    public func releaseHold(request: Boxoffice_Inventory_V1_ReleaseHoldRequest, context: ServerContext) async throws
        -> Boxoffice_Inventory_V1_ReleaseHoldResponse {
        try await answer {
            try requireHolder(request.holdID, request.holderID)
            var response = Boxoffice_Inventory_V1_ReleaseHoldResponse()
            response.hold = HoldMessages.wire(try await inventory.releaseHold(holdID: request.holdID, holderID: request.holderID))
            return response
        }
    }

    public func pinHold(request: Boxoffice_Inventory_V1_PinHoldRequest, context: ServerContext) async throws
        -> Boxoffice_Inventory_V1_PinHoldResponse {
        try await answer { try await pin(request) }
    }

    // Out of line: Swift 6.3.1's optimizer crashed (LLVM coroutine splitting, signal 11) on this
    // body inlined into `answer`'s closure in release builds.
    @inline(never)
    private func pin(_ request: Boxoffice_Inventory_V1_PinHoldRequest) async throws(InventoryError)
        -> Boxoffice_Inventory_V1_PinHoldResponse {
        try requireHolder(request.holdID, request.holderID)
        guard let pinFor = try WireValues.duration(request.pinFor, field: "pin_for") else {
            throw .invalidArgument("pin_for is required")
        }
        var response = Boxoffice_Inventory_V1_PinHoldResponse()
        response.hold = HoldMessages.wire(try await inventory.pinHold(holdID: request.holdID, holderID: request.holderID,
                                                                      pinFor: pinFor))
        return response
    }

    public func getHold(request: Boxoffice_Inventory_V1_GetHoldRequest, context: ServerContext) async throws
        -> Boxoffice_Inventory_V1_GetHoldResponse {
        try await answer {
            guard !request.holdID.isEmpty else { throw InventoryError.invalidArgument("hold_id is required") }
            var response = Boxoffice_Inventory_V1_GetHoldResponse()
            response.hold = HoldMessages.wire(try await inventory.hold(request.holdID))
            return response
        }
    }

    public func checkConsistency(request: Boxoffice_Inventory_V1_CheckConsistencyRequest, context: ServerContext) async throws
        -> Boxoffice_Inventory_V1_CheckConsistencyResponse {
        try await answer {
            AvailabilityMessages.wire(try await inventory.checkConsistency(eventID: request.eventID), store: inventory.store.kind)
        }
    }

    /// Both ids are required on every call that acts on a hold; a missing one is INVALID_ARGUMENT.
    private func requireHolder(_ holdID: String, _ holderID: String) throws(InventoryError) {
        guard !holdID.isEmpty else { throw .invalidArgument("hold_id is required") }
        guard !holderID.isEmpty else { throw .invalidArgument("holder_id is required") }
    }

    /// Runs `body`, sending an ``InventoryError`` as its gRPC status.
    private func answer<Output>(_ body: () async throws -> Output) async throws -> Output {
        do {
            return try await body()
        } catch let error as InventoryError {
            throw error.rpcError
        }
    }
}

public import BoxOfficeRPC

extension InventoryError {
    /// The gRPC status this error is sent as: its code's canonical status and its message.
    public var rpcError: RPCError {
        RPCError(code: RPCError.Code(rawValue: code.grpcStatusCode), message: message)
    }
}

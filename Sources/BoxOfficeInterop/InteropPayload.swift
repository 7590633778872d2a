public import BoxOfficeAPI
import BoxOfficeRPC

extension Grpc_Testing_Payload {
    /// A COMPRESSABLE payload of `size` zero bytes, as the interop cases send and expect.
    public static func zeros(_ size: Int) -> Grpc_Testing_Payload {
        var payload = Grpc_Testing_Payload()
        payload.type = .compressable
        payload.body = [UInt8](repeating: 0, count: size)
        return payload
    }

    /// The payload a request's `response_size` asks for.
    ///
    /// - Throws: ``RPCError`` INVALID_ARGUMENT for a negative size.
    static func requested(size: Int32) throws(RPCError) -> Grpc_Testing_Payload {
        guard size >= 0 else { throw RPCError(code: .invalidArgument, message: "negative response size \(size)") }
        return .zeros(Int(size))
    }
}

/// The `content-type` of gRPC requests and responses.
public enum GRPCContentType {
    /// The value this library sends.
    public static let grpcProto = "application/grpc"

    /// Whether `value` names gRPC: `application/grpc`, optionally followed by `+format` or `;params`
    /// (compared case-insensitively).
    public static func isGRPC(_ value: some StringProtocol) -> Bool {
        let lower = value.lowercased()
        guard lower.hasPrefix("application/grpc") else { return false }
        let rest = lower.dropFirst("application/grpc".count)
        return rest.isEmpty || rest.first == "+" || rest.first == ";"
    }

    /// Whether `value` is a gRPC content type whose message format is protobuf
    /// (`application/grpc`, `application/grpc+proto`, with optional parameters).
    public static func isProtobuf(_ value: some StringProtocol) -> Bool {
        guard isGRPC(value) else { return false }
        let lower = value.lowercased()
        let format = lower.dropFirst("application/grpc".count).split(separator: ";", maxSplits: 1,
                                                                     omittingEmptySubsequences: false).first ?? ""
        return format.isEmpty || format == "+proto"
    }
}

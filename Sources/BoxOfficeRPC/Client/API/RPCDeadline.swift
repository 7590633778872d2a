/// The deadline of the RPC being served by the current task, if any.
///
/// ``GRPCServer`` sets it for the duration of each call's interceptors and handler;
/// every call a ``GRPCClient`` makes inside inherits it, so an outgoing call gets only the
/// remaining budget of the incoming one and sends it as `grpc-timeout`.
public enum RPCDeadline {
    /// The inherited deadline; nil when the current task serves no RPC with a deadline.
    @TaskLocal public static var current: ContinuousClock.Instant?
}

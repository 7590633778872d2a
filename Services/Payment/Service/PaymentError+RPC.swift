import BoxOfficePostgres
import BoxOfficeRPC

extension RPCError {
    /// The gRPC status for a failure of a payment operation: a ``PaymentError`` keeps its code and
    /// message; an unreachable database is UNAVAILABLE; anything else is INTERNAL.
    static func payment(_ error: any Error, doing what: String) -> RPCError {
        switch error {
        case let error as RPCError:
            return error
        case let error as PaymentError:
            let code: RPCError.Code = switch error.code {
            case .invalidArgument: .invalidArgument
            case .aborted: .aborted
            case .notFound: .notFound
            case .failedPrecondition: .failedPrecondition
            case .deadlineExceeded: .deadlineExceeded
            case .unauthenticated: .unauthenticated
            case .unavailable: .unavailable
            }
            return RPCError(code: code, message: error.message)
        case let error as PostgresError where error.isConnectionLost || error.code == .poolTimeout || error.code == .closed:
            return RPCError(code: .unavailable, message: "the payment database is unavailable (\(what)): \(error.message)", cause: error)
        case let error as PostgresError where error.isTransactionRetryable:
            return RPCError(code: .aborted, message: "\(what) lost a race; retry: \(error.message)", cause: error)
        default:
            return RPCError(code: .internal, message: "\(what) failed: \(error)", cause: error)
        }
    }
}

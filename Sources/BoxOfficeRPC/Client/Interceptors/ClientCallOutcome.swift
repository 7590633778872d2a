/// The status code an interceptor reports for a call that threw `error` (nil: OK).
func statusCode(of error: (any Error)?) -> RPCError.Code {
    switch error {
    case nil: .ok
    case let error as RPCError: error.code
    case is CancellationError: .cancelled
    default: .unknown
    }
}

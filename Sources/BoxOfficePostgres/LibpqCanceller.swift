import CLibpq

/// The one owner of a `PGcancel*`: asks the server to cancel whatever its connection is running.
///
/// Built from a connection when it opens and freed exactly once, in `deinit`. `@unchecked Sendable`
/// is safe because the handle is immutable after creation and libpq documents `PQcancel` as read-only
/// on the `PGcancel` object, callable from a thread other than the one using the `PGconn`.
final class LibpqCanceller: @unchecked Sendable {
    private let handle: OpaquePointer

    /// Returns nil when libpq cannot build a cancel object (the connection is not open).
    init?(connection: OpaquePointer) {
        guard let handle = PQgetCancel(connection) else { return nil }
        self.handle = handle
    }

    deinit {
        PQfreeCancel(handle)
    }

    /// Sends a cancel request on a new connection to the server (blocking: call off any event loop).
    /// - Returns: nil when the request was delivered, else libpq's reason. Delivery does not mean a
    ///   statement was stopped: an idle backend ignores it.
    func cancel() -> String? {
        var buffer = [CChar](repeating: 0, count: 256)
        let delivered = buffer.withUnsafeMutableBufferPointer { errorBuffer in
            PQcancel(handle, errorBuffer.baseAddress, Int32(errorBuffer.count)) == 1
        }
        if delivered { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

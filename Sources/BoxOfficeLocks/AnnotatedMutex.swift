public import Synchronization

/// The runtimes' lock: a `Synchronization.Mutex` whose lock and unlock ThreadSanitizer can see.
///
/// The standard library's `Mutex` waits with raw futex system calls on Linux, which TSan does
/// not intercept, so TSan reports every access made under it as a race. Under TSan this type
/// announces the lock's happens-before edge (`__tsan_acquire` after locking, `__tsan_release`
/// before unlocking, keyed by the mutex's own address); without TSan it is the plain `Mutex`
/// plus one branch. Store it in a `let` of a class (its address must not change while shared).
/// Thread-safe; `Value` may be non-copyable.
///
/// The lock operations are `@inlinable` so that callers in other modules get them specialized
/// for their `Value` and closure: an unspecialized generic call looks up type metadata at run
/// time, which showed up in the runtimes' profiles as several percent of their CPU time.
public struct AnnotatedMutex<Value: ~Copyable>: ~Copyable, Sendable {
    @usableFromInline let mutex: Mutex<Value>

    /// Creates a mutex holding `initialValue`.
    @inlinable @inline(__always)
    public init(_ initialValue: consuming sending Value) {
        mutex = Mutex(initialValue)
    }

    /// Runs `body` with exclusive access to the value; do not block or suspend inside.
    @inlinable @inline(__always)
    public borrowing func withLock<Result: ~Copyable, E: Error>(
        _ body: (inout sending Value) throws(E) -> sending Result
    ) throws(E) -> sending Result {
        guard let hooks = ThreadSanitizerAnnotations.hooks else {
            return try mutex.withLock(body)
        }
        let address = synchronizationAddress()
        return try mutex.withLock { (value) throws(E) -> sending Result in
            hooks.acquire(address)
            defer { hooks.release(address) }
            return try body(&value)
        }
    }

    /// Runs `body` with exclusive access to the value if the lock is free now; nil (and `body`
    /// not run) when another thread holds it.
    @inlinable @inline(__always)
    public borrowing func withLockIfAvailable<Result: ~Copyable, E: Error>(
        _ body: (inout sending Value) throws(E) -> sending Result
    ) throws(E) -> sending Result? {
        guard let hooks = ThreadSanitizerAnnotations.hooks else {
            return try mutex.withLockIfAvailable(body)
        }
        let address = synchronizationAddress()
        return try mutex.withLockIfAvailable { (value) throws(E) -> sending Result in
            hooks.acquire(address)
            defer { hooks.release(address) }
            return try body(&value)
        }
    }

    /// This mutex's address, TSan's key for its happens-before edge.
    ///
    /// Only an identity: never dereferenced. Non-copyable `self` is borrowed in place (it
    /// cannot be copied into a temporary), so the address is the same on every call. Taken
    /// from `self` rather than from the guarded value because passing the value `inout` is
    /// itself an access TSan checks, and it would come before the acquire.
    @inlinable @inline(__always)
    borrowing func synchronizationAddress() -> UnsafeMutableRawPointer {
        withUnsafePointer(to: self) { UnsafeMutableRawPointer(mutating: $0) }
    }
}

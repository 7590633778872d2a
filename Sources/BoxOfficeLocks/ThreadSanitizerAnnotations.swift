#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// ThreadSanitizer's happens-before annotations, found at run time.
///
/// A process built with `-sanitize=thread` exports `__tsan_acquire` and `__tsan_release` from
/// the TSan runtime; any other process has neither, and ``hooks`` is nil. Looked up once, so a
/// normal build pays one well-predicted branch per use and links nothing extra.
public enum ThreadSanitizerAnnotations {
    /// `void __tsan_acquire(void *addr)` / `void __tsan_release(void *addr)`.
    public typealias Annotation = @convention(c) (UnsafeMutableRawPointer?) -> Void

    /// The two annotations of a TSan-instrumented process.
    public struct Hooks: Sendable {
        /// Tells TSan this thread now sees everything released at the address.
        public let acquire: Annotation
        /// Tells TSan everything this thread did so far is visible to the next acquirer.
        public let release: Annotation
    }

    /// The annotations when the TSan runtime is in the process, nil otherwise.
    public static let hooks: Hooks? = {
        #if os(Linux) || os(Android)
        let everyImage = UnsafeMutableRawPointer(bitPattern: 0)  // RTLD_DEFAULT
        #else
        let everyImage = UnsafeMutableRawPointer(bitPattern: -2)  // RTLD_DEFAULT
        #endif
        guard let acquire = dlsym(everyImage, "__tsan_acquire"),
              let release = dlsym(everyImage, "__tsan_release") else { return nil }
        return Hooks(acquire: unsafeBitCast(acquire, to: Annotation.self),
                     release: unsafeBitCast(release, to: Annotation.self))
    }()
}

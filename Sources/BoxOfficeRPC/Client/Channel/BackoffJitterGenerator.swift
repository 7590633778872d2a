/// The random source of a channel's backoff jitter: SplitMix64 (Steele, Lea, Flood 2014)
/// seeded from the system generator.
///
/// Not `SystemRandomNumberGenerator` itself: that type is empty, and the compiler gives an
/// empty local no real address, while TSan instrumentation reports every `inout` access at its
/// address; passing one to `ConnectionBackoff.delay(afterFailures:using:)` crashed a TSan run
/// of the channel tests (SEGV in the sanitizer's shadow write; Swift 6.3.1).
struct BackoffJitterGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator with a fresh random seed.
    init() {
        state = UInt64.random(in: .min ... .max)
    }

    /// The next 64 random bits.
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}

public import BoxOfficeRandom

/// The simulator's deterministic generator (the project's SplitMix64), so that a simulator run
/// replays exactly from its seed.
public typealias SeededRandom = SplitMix64

extension SplitMix64 {
    /// True with probability `rate` (clamped to 0...1).
    public mutating func chance(_ rate: Double) -> Bool {
        guard rate > 0 else { return false }
        guard rate < 1 else { return true }
        return Double.random(in: 0..<1, using: &self) < rate
    }
}

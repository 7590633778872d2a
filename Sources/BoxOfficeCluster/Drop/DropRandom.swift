public import BoxOfficeHarness

/// A drop's seeded generator (SplitMix64), so a drop with the same seed makes the same crowd.
public typealias DropRandom = SplitMix64

extension SplitMix64 {
    /// The generator of one stream (e.g. one shopper) of a run seeded with `seed`.
    ///
    /// Each shopper gets its own generator derived from the run's seed and its index, so the crowd
    /// is the same whatever the concurrency and the order in which shoppers start.
    public init(seed: UInt64, stream: UInt64) {
        var mixer = SplitMix64(seed: seed ^ (stream &* 0x9E37_79B9_7F4A_7C15))
        self.init(seed: mixer.next())
    }
}

/// Choices with integer weights, drawn in proportion to their weight.
public struct WeightedChoices<Choice: Sendable & Hashable>: Sendable, Hashable {
    /// The choices and their weights, in the order given; weights are positive.
    public let entries: [Entry]

    /// One choice and its weight.
    public struct Entry: Sendable, Hashable {
        /// The choice.
        public var choice: Choice
        /// Its weight, relative to the others.
        public var weight: Int

        /// Creates an entry.
        public init(_ choice: Choice, weight: Int) {
            self.choice = choice
            self.weight = weight
        }
    }

    /// The sum of all weights.
    public var totalWeight: Int { entries.reduce(0) { $0 + $1.weight } }

    /// Choices with the given weights; entries with weight 0 are dropped.
    ///
    /// - Precondition: no negative weight, and at least one positive weight.
    public init(_ entries: [Entry]) {
        precondition(entries.allSatisfy { $0.weight >= 0 }, "weights must not be negative")
        self.entries = entries.filter { $0.weight > 0 }
        precondition(!self.entries.isEmpty, "at least one choice needs a positive weight")
    }

    /// A choice drawn in proportion to the weights.
    public func draw(using random: inout some RandomNumberGenerator) -> Choice {
        var ticket = Int.random(in: 0..<totalWeight, using: &random)
        for entry in entries {
            if ticket < entry.weight { return entry.choice }
            ticket -= entry.weight
        }
        return entries[entries.count - 1].choice
    }
}

public import BoxOfficeRandom

/// The project's seeded generator (``BoxOfficeRandom/SplitMix64``), under the name the tests and
/// benchmarks that import the harness already use.
public typealias SplitMix64 = BoxOfficeRandom.SplitMix64

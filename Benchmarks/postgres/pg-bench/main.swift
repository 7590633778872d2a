// pg-bench: the seat-hold UPDATE through BoxOfficePostgres for a fixed time, printing TPS.
//
//   pg-bench --url URL --clients N --seconds S --rows R [--connections C] [--depth D] [--reactor-groups G]
//
// N tasks loop over random seat ids (1...R) running the conditional hold UPDATE through a pool of
// C connections (default N); with --depth above 1, tasks share connections and their statements
// are pipelined. With --reactor-groups G (G >= 1) the tasks are split into G groups, each inside
// `PostgresClient.withReactorAffinity` (its tasks run on one reactor thread, like a pgbench -j
// thread); without it they run on the global executor, as service code does.
// Prints one line: `tps=<n> ops=<n> won=<n> seconds=<s>`.
import BoxOfficeHarness
import BoxOfficePostgres
import Foundation
import Logging

struct Arguments {
    var url = ProcessInfo.processInfo.environment["BOXOFFICE_PG_URL"] ?? "postgresql://postgres@127.0.0.1:55432/postgres"
    var clients = 16
    var seconds = 10.0
    var rows = 200_000
    var connections: Int?
    var depth = 1
    var reactorGroups = 0

    init() {
        var iterator = CommandLine.arguments.dropFirst().makeIterator()
        while let flag = iterator.next() {
            guard let value = iterator.next() else { fatalError("missing value for \(flag)") }
            switch flag {
            case "--url": url = value
            case "--clients": clients = Int(value)!
            case "--seconds": seconds = Double(value)!
            case "--rows": rows = Int(value)!
            case "--connections": connections = Int(value)!
            case "--depth": depth = Int(value)!
            case "--reactor-groups": reactorGroups = Int(value)!
            default: fatalError("unknown flag \(flag)")
            }
        }
    }
}

let hold = """
    UPDATE seats SET status='held', held_by=$1, held_until=now()+interval '15 min', version=version+1 \
    WHERE id=$2 AND status='available'
    """

let arguments = Arguments()
let db = PostgresClient(
    configuration: PostgresConfiguration(url: arguments.url),
    options: PostgresPoolOptions(
        maximumConnections: arguments.connections ?? arguments.clients, acquireTimeout: .seconds(30),
        pipelineDepth: arguments.depth),
    logger: Logger(label: "pg-bench"))

/// Runs `body` once per group of clients, each group in its own reactor-affinity scope (or one
/// group on the global executor), all groups at once; returns the per-client results.
func inGroups<Output: Sendable>(_ body: @escaping @Sendable (Range<Int>) async throws -> [Output]) async throws -> [Output] {
    let groups = max(1, arguments.reactorGroups)
    return try await withThrowingTaskGroup(of: [Output].self) { group in
        for index in 0..<groups {
            let clients = (arguments.clients * index / groups)..<(arguments.clients * (index + 1) / groups)
            group.addTask {
                guard arguments.reactorGroups > 0 else { return try await body(clients) }
                return try await db.withReactorAffinity { try await body(clients) }
            }
        }
        var outputs: [Output] = []
        for try await output in group { outputs += output }
        return outputs
    }
}

/// Runs `body` for every client of `clients` concurrently.
func eachClient<Output: Sendable>(_ clients: Range<Int>, _ body: @escaping @Sendable (Int) async throws -> Output) async throws -> [Output] {
    try await withThrowingTaskGroup(of: Output.self) { group in
        for client in clients { group.addTask { try await body(client) } }
        var outputs: [Output] = []
        for try await output in group { outputs.append(output) }
        return outputs
    }
}

// Open every connection (and prepare the statement on it) before timing, as pgbench does.
_ = try await inGroups { clients in
    try await eachClient(clients) { client in _ = try await db.execute(hold, ["warmup", -client - 1]) }
}

let runSeed = UInt64.random(in: 0...UInt64.max)
let clock = ContinuousClock()
let deadline = clock.now + .milliseconds(Int(arguments.seconds * 1000))
let start = clock.now
let results = try await inGroups { clients in
    try await eachClient(clients) { client -> (Int, Int) in
        var operations = 0
        var won = 0
        // Seat ids from a cheap seeded generator (as pgbench's own PRNG): no getrandom call per transaction.
        var generator = SplitMix64(seed: runSeed &+ UInt64(client))
        let holder = "client\(client)"
        while clock.now < deadline {
            won += try await db.execute(hold, [holder, Int.random(in: 1...arguments.rows, using: &generator)])
            operations += 1
        }
        return (operations, won)
    }
}
let operations = results.reduce(0) { $0 + $1.0 }
let won = results.reduce(0) { $0 + $1.1 }
let elapsed = clock.now - start
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
print("tps=\(Int(Double(operations) / seconds)) ops=\(operations) won=\(won) seconds=\(String(format: "%.2f", seconds))")
await db.shutdown()

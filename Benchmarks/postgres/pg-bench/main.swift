// pg-bench: the seat-hold UPDATE through BoxOfficePostgres for a fixed time, printing TPS.
//
//   pg-bench --url URL --clients N --seconds S --rows R [--connections C] [--depth D]
//
// N tasks loop over random seat ids (1...R) running the conditional hold UPDATE through a pool of
// C connections (default N); with --depth above 1, tasks share connections and their statements
// are pipelined. Prints one line: `tps=<n> ops=<n> won=<n> seconds=<s>`.
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

// Open every connection (and prepare the statement on it) before timing, as pgbench does.
try await withThrowingTaskGroup(of: Void.self) { group in
    for client in 0..<arguments.clients {
        group.addTask { _ = try await db.execute(hold, ["warmup", -client - 1]) }
    }
    try await group.waitForAll()
}

let clock = ContinuousClock()
let deadline = clock.now + .milliseconds(Int(arguments.seconds * 1000))
let start = clock.now
let (operations, won) = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
    for client in 0..<arguments.clients {
        group.addTask {
            var operations = 0
            var won = 0
            var generator = SystemRandomNumberGenerator()
            let holder = "client\(client)"
            while clock.now < deadline {
                won += try await db.execute(hold, [holder, Int.random(in: 1...arguments.rows, using: &generator)])
                operations += 1
            }
            return (operations, won)
        }
    }
    var total = (0, 0)
    for try await (operations, won) in group { total = (total.0 + operations, total.1 + won) }
    return total
}
let elapsed = clock.now - start
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
print("tps=\(Int(Double(operations) / seconds)) ops=\(operations) won=\(won) seconds=\(String(format: "%.2f", seconds))")
await db.shutdown()

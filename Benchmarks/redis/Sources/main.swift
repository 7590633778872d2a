// Load generator for Benchmarks/redis/run.sh: the hold-shaped Lua script through BoxOfficeRedis,
// from concurrent callers, unpipelined or in batches. Prints one `ops_per_sec=<n>` line.
//
//   redis-bench print-script
//   redis-bench run --url redis://127.0.0.1:6379 --callers 50 --ops 200000 [--batch 16] [--connections 4] [--seats 10000]
import BoxOfficeHarness
import BoxOfficeRedis

struct BenchFailure: Error, CustomStringConvertible {
    var description: String
}

/// The same script redis-benchmark runs: every call takes the full hold path (check the seat is not
/// sold, record it held with holder and expiry, decrement the event's available counter), so both
/// runs do identical work whatever order the random seats come in. Both keys share the `{bench}` tag.
let holdScript = RedisScript("""
    local status = redis.call('HGET', KEYS[1], ARGV[1])
    if status == 'sold' then return -1 end
    redis.call('HSET', KEYS[1], ARGV[1], 'held', ARGV[1] .. ':holder', ARGV[2], ARGV[1] .. ':until', ARGV[3])
    return redis.call('DECR', KEYS[2])
    """)
let keys = ["{bench}:seats", "{bench}:available"]

/// `<prefix><12-digit zero-padded number>`, the shape of redis-benchmark's `prefix__rand_int__`.
struct RandomTag: RedisArgument {
    var prefix: StaticString
    var number: Int

    func appendRedisArgument(to bytes: inout [UInt8]) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: prefix.utf8Start, count: prefix.utf8CodeUnitCount))
        var divisor = 100_000_000_000
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(number / divisor % 10))
            divisor /= 10
        }
    }
}

func holdCommand(seats: Int, random: inout SplitMix64) -> RedisCommand {
    var command = RedisCommand("EVALSHA", holdScript.sha1, 2, keys[0], keys[1])
    command.append(RandomTag(prefix: "seat:", number: Int.random(in: 0..<seats, using: &random)))
    command.append(RandomTag(prefix: "holder:", number: Int.random(in: 0..<seats, using: &random)))
    command.append(1_700_000_000_000)
    return command
}

func option(_ name: String, _ arguments: [String]) -> String? {
    guard let index = arguments.firstIndex(of: "--\(name)"), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "print-script":
    print(holdScript.source)
case "run":
    let url = option("url", arguments) ?? "redis://127.0.0.1:6379"
    let callers = Int(option("callers", arguments) ?? "50") ?? 50
    let totalOps = Int(option("ops", arguments) ?? "200000") ?? 200_000
    let batch = Int(option("batch", arguments) ?? "1") ?? 1
    let connections = Int(option("connections", arguments) ?? "4") ?? 4
    let seats = Int(option("seats", arguments) ?? "10000") ?? 10_000

    let redis = try await RedisClient.connect(configuration: RedisConfiguration(url: url), connectionCount: connections)
    _ = try await redis.evalScript(holdScript, keys: keys, arguments: ["seat:0", "holder:0", 1_700_000_000_000])
    let roundsPerCaller = max(1, totalOps / (callers * batch))
    let clock = ContinuousClock()
    let started = clock.now
    let failures = try await withThrowingTaskGroup(of: Int.self) { group in
        for caller in 0..<callers {
            group.addTask {
                // One seeded generator per caller (the harness's SplitMix64): the system generator costs a
                // getrandom(2) call per number, which redis-benchmark (libc `random()`) does not pay either.
                var random = SplitMix64(seed: UInt64(caller) &* 0x2545_F491_4F6C_DD1D &+ 1)
                var failures = 0
                for _ in 0..<roundsPerCaller {
                    if batch == 1 {
                        let reply = try await redis.execute([holdCommand(seats: seats, random: &random)])
                        if case .error = reply[0] { failures += 1 }
                    } else {
                        let commands = (0..<batch).map { _ in holdCommand(seats: seats, random: &random) }
                        for reply in try await redis.execute(commands) {
                            if case .error = reply { failures += 1 }
                        }
                    }
                }
                return failures
            }
        }
        var failures = 0
        for try await count in group { failures += count }
        return failures
    }
    let elapsed = clock.now - started
    let ops = Double(roundsPerCaller * callers * batch)
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    await redis.close()
    guard failures == 0 else {
        throw BenchFailure(description: "\(failures) script calls failed")
    }
    print("ops_per_sec=\(Int(ops / seconds)) ops=\(Int(ops)) seconds=\(seconds)")
default:
    throw BenchFailure(description: "usage: redis-bench print-script | run --url URL [--callers N] [--ops N] [--batch N] [--connections N] [--seats N]")
}

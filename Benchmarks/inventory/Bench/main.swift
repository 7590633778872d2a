// Load generator for Benchmarks/inventory/run.sh: HoldSeats through our generated gRPC client
// against a running `boxoffice serve inventory`, from a fixed number of concurrent callers, each
// call with a unique holder and idempotency key. Prints one line:
// `decisions_per_sec=<n> held=<n> refused=<n> failed=<n>`.
//
//   inventory-bench print-script                      # the GA hold Lua the redis store runs
//   inventory-bench print-keys --prefix P --event ID  # its eleven KEYS
//   inventory-bench create --target H:P --capacity N [--prefill N]   # prints EVENT <id>
//   inventory-bench run --target H:P --event ID --callers 32 --seconds 5 [--tag T]
import BoxOfficeAPI
import BoxOfficeInventory
import BoxOfficeProto
import BoxOfficeRPC
import Foundation
import Synchronization

struct BenchFailure: Error, CustomStringConvertible {
    var description: String
}

func option(_ name: String, _ arguments: [String]) -> String? {
    guard let index = arguments.firstIndex(of: "--\(name)"), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}

func required(_ name: String, _ arguments: [String]) throws -> String {
    guard let value = option(name, arguments) else { throw BenchFailure(description: "--\(name) is required") }
    return value
}

func client(_ arguments: [String]) throws -> (Boxoffice_Inventory_V1_InventoryService.Client, GRPCChannel) {
    let target = try required("target", arguments)
    guard let endpoint = ClientEndpoint(target) else { throw BenchFailure(description: "bad --target \(target)") }
    let channel = GRPCChannel(endpoints: [endpoint])
    return (Boxoffice_Inventory_V1_InventoryService.Client(wrapping: GRPCClient(channel: channel)), channel)
}

func gaHold(event: Int64, holder: String) -> Boxoffice_Inventory_V1_HoldSeatsRequest {
    var request = Boxoffice_Inventory_V1_HoldSeatsRequest()
    request.eventID = event
    request.holderID = holder
    request.idempotencyKey = holder
    var ga = Boxoffice_Inventory_V1_GeneralAdmission()
    ga.poolCode = "GA"
    ga.quantity = 1
    request.selection = .generalAdmission(ga)
    return request
}

/// An on-sale event with one general-admission pool `GA` of `capacity` units, `prefill` of them held.
func create(_ arguments: [String]) async throws {
    let (inventory, channel) = try client(arguments)
    let capacity = Int32(option("capacity", arguments) ?? "1000000") ?? 1_000_000
    let prefill = Int(option("prefill", arguments) ?? "0") ?? 0
    var request = Boxoffice_Inventory_V1_CreateEventRequest()
    request.name = "Benchmark"
    request.saleStartsAt = Google_Protobuf_Timestamp(date: Date(timeIntervalSince1970: 0))
    var tier = Boxoffice_Inventory_V1_PriceTier()
    tier.code = "GA"
    var price = Boxoffice_Common_V1_Money()
    price.amountMinor = 5_000
    price.currency = "USD"
    tier.price = price
    var pool = Boxoffice_Inventory_V1_GeneralAdmissionPoolSpec()
    pool.code = "GA"
    pool.priceTier = "GA"
    pool.capacity = capacity
    var map = Boxoffice_Inventory_V1_SeatMap()
    map.priceTiers = [tier]
    map.gaPools = [pool]
    request.seatMap = map
    request.holdTtl = Google_Protobuf_Duration(.seconds(3_600))
    let event = try await inventory.createEvent(request).event?.id ?? 0
    for index in 0..<prefill {
        _ = try await inventory.holdSeats(gaHold(event: event, holder: "prefill-\(index)"))
    }
    await channel.close()
    print("EVENT \(event)")
}

/// Answers counted across callers.
final class Tally: Sendable {
    let held = Atomic<Int>(0)
    let refused = Atomic<Int>(0)
    let failed = Atomic<Int>(0)
}

/// `callers` tasks each issuing GA holds back to back until `seconds` have passed.
func run(_ arguments: [String]) async throws {
    let (inventory, channel) = try client(arguments)
    guard let event = Int64(try required("event", arguments)) else { throw BenchFailure(description: "bad --event") }
    let callers = Int(option("callers", arguments) ?? "32") ?? 32
    let seconds = Double(option("seconds", arguments) ?? "5") ?? 5
    let tag = option("tag", arguments) ?? "\(UInt32.random(in: 0...UInt32.max))"
    // Warm the connections so the timed part measures calls, not connection set-up.
    for index in 0..<callers {
        _ = try? await inventory.holdSeats(gaHold(event: event, holder: "warm-\(tag)-\(index)"))
    }
    let tally = Tally()
    let clock = ContinuousClock()
    let start = clock.now
    let deadline = start + .milliseconds(Int64(seconds * 1_000))
    await withDiscardingTaskGroup { group in
        for caller in 0..<callers {
            group.addTask {
                var call = 0
                while clock.now < deadline {
                    call += 1
                    do {
                        _ = try await inventory.holdSeats(gaHold(event: event, holder: "b-\(tag)-\(caller)-\(call)"))
                        tally.held.add(1, ordering: .relaxed)
                    } catch let error as RPCError where error.code == .resourceExhausted {
                        tally.refused.add(1, ordering: .relaxed)
                    } catch {
                        tally.failed.add(1, ordering: .relaxed)
                    }
                }
            }
        }
    }
    let elapsed = clock.now - start
    let elapsedSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    await channel.close()
    let decisions = tally.held.load(ordering: .relaxed) + tally.refused.load(ordering: .relaxed)
    print("decisions_per_sec=\(Int(Double(decisions) / elapsedSeconds)) held=\(tally.held.load(ordering: .relaxed)) "
          + "refused=\(tally.refused.load(ordering: .relaxed)) failed=\(tally.failed.load(ordering: .relaxed))")
}

let arguments = Array(CommandLine.arguments.dropFirst())
do {
    switch arguments.first {
    case "print-script":
        print(InventoryScriptSources.holdGeneralAdmission)
    case "print-keys":
        guard let event = Int64(try required("event", arguments)) else { throw BenchFailure(description: "bad --event") }
        print(InventoryScriptSources.keys(prefix: try required("prefix", arguments), eventID: event).joined(separator: " "))
    case "create":
        try await create(arguments)
    case "run":
        try await run(arguments)
    default:
        throw BenchFailure(description: "usage: inventory-bench print-script | print-keys | create | run (see the header of main.swift)")
    }
} catch {
    FileHandle.standardError.write(Data("inventory-bench: \(error)\n".utf8))
    exit(1)
}

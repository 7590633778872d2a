import BoxOfficeAPI
import BoxOfficeProto
import Foundation

// proto-bench [iterations]
//
// Encode+decode round trip of inventory's HoldSeats request (10 seat ids) and its response (a
// hold of 10 seats), through protobuf-c. Prints one JSON line: thread CPU ns per round trip and, when run
// with Benchmarks/proto/malloc-counter.so preloaded, heap allocations per round trip.

typealias Request = Boxoffice_Inventory_V1_HoldSeatsRequest
typealias Response = Boxoffice_Inventory_V1_HoldSeatsResponse

func holdRequest() -> Request {
    var request = Request()
    request.eventID = 42
    request.holderID = "user-7d1f0c2a"
    var seats = Boxoffice_Inventory_V1_SpecificSeats()
    seats.seatIds = (0..<10).map { 1_000_100 + Int64($0) }
    request.selection = .specificSeats(seats)
    request.ttl = Google_Protobuf_Duration(timeInterval: 600)
    request.idempotencyKey = "7e0b5a3c-5a1e-4d55-9a43-3f2d7c2b9e10"
    return request
}

func holdResponse() -> Response {
    var hold = Boxoffice_Inventory_V1_Hold()
    hold.id = "hold-5f3c9a"
    hold.eventID = 42
    hold.holderID = "user-7d1f0c2a"
    hold.status = .active
    hold.seats = (0..<10).map { index in
        var seat = Boxoffice_Inventory_V1_Seat()
        seat.id = 1_000_100 + Int64(index)
        seat.sectionCode = "A"
        seat.row = "12"
        seat.number = Int32(index + 1)
        seat.position = Int32(index)
        seat.priceTier = "GOLD"
        seat.status = .held
        seat.holdID = "hold-5f3c9a"
        seat.version = 3
        return seat
    }
    var price = Boxoffice_Common_V1_Money()
    price.amountMinor = 125_000
    price.currency = "USD"
    hold.totalPrice = price
    hold.createdAt = Google_Protobuf_Timestamp(date: Date(timeIntervalSince1970: 1_767_225_600))
    hold.expiresAt = Google_Protobuf_Timestamp(date: Date(timeIntervalSince1970: 1_767_226_200))
    var response = Response()
    response.hold = hold
    return response
}

/// One round trip; returns the decoded values so the work cannot be optimised away.
@inline(never)
func roundTrip(_ request: Request, _ response: Response) throws -> (Request, Response) {
    let decodedRequest = try Request(serializedBytes: request.serializedBytes())
    let decodedResponse = try Response(serializedBytes: response.serializedBytes())
    return (decodedRequest, decodedResponse)
}

typealias MallocCount = @convention(c) () -> UInt
/// The preloaded counter's `boxoffice_malloc_count`, looked up in the whole process.
let mallocCount: MallocCount? = dlsym(dlopen(nil, RTLD_LAZY), "boxoffice_malloc_count")
    .map { unsafeBitCast($0, to: MallocCount.self) }

let iterations = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 20_000
let request = holdRequest()
let response = holdResponse()
let (checkRequest, checkResponse) = try roundTrip(request, response)
precondition(checkRequest == request && checkResponse == response, "round trip changed the values")
for _ in 0..<1_000 { _ = try roundTrip(request, response) }  // warm up

/// CPU time of this thread: on a shared machine, time spent waiting for a core is not ours.
func threadCPUNanoseconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
    return Double(now.tv_sec) * 1e9 + Double(now.tv_nsec)
}

let allocationsBefore = mallocCount?() ?? 0
let start = threadCPUNanoseconds()
for _ in 0..<iterations { _ = try roundTrip(request, response) }
let nanoseconds = threadCPUNanoseconds() - start
let allocationsAfter = mallocCount?() ?? 0

let allocations = mallocCount == nil ? "null" : String(Double(allocationsAfter - allocationsBefore) / Double(iterations))
print(#"{"runtime":"swift protobuf-c","iterations":\#(iterations),"request_bytes":\#(request.serializedBytes().count),"#
    + #""response_bytes":\#(response.serializedBytes().count),"ns_per_round_trip":\#(Int(nanoseconds / Double(iterations))),"#
    + #""allocations_per_round_trip":\#(allocations)}"#)

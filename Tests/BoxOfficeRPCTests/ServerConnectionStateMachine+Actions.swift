@testable import BoxOfficeRPC

/// The machine's steps returning their actions as an array, for assertions (the connection
/// appends them into a reused buffer instead).
extension ServerConnectionStateMachine {
    mutating func receive(_ event: HTTP2ServerEvent) -> [Action] {
        collect { $0.receive(event, into: &$1) }
    }

    mutating func requestMessageConsumed(streamID: Int32, credit: Int) -> [Action] {
        collect { $0.requestMessageConsumed(streamID: streamID, credit: credit, into: &$1) }
    }

    mutating func sendResponseHeaders(streamID: Int32, metadata: Metadata) -> [Action] {
        collect { $0.sendResponseHeaders(streamID: streamID, metadata: metadata, into: &$1) }
    }

    mutating func sendResponseMessage(streamID: Int32, message: [UInt8]) -> [Action] {
        collect { $0.sendResponseMessage(streamID: streamID, message: message, into: &$1) }
    }

    mutating func finishResponse(streamID: Int32, status: Status, trailers: Metadata) -> [Action] {
        collect { $0.finishResponse(streamID: streamID, status: status, trailers: trailers, into: &$1) }
    }

    mutating func sendUnaryResponse(streamID: Int32, headers: Metadata, message: [UInt8], trailers: Metadata) -> [Action] {
        collect { $0.sendUnaryResponse(streamID: streamID, headers: headers, message: message, trailers: trailers, into: &$1) }
    }

    private mutating func collect(_ step: (inout Self, inout [Action]) -> Void) -> [Action] {
        var actions: [Action] = []
        step(&self, &actions)
        return actions
    }
}

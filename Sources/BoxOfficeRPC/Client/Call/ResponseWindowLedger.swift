/// The stream-level flow-control credit of one response: which received bytes the client may
/// give back to the server (as WINDOW_UPDATE) now.
///
/// A response byte is either part of a message still being reassembled (the *partial* message),
/// or part of a complete message handed to the caller. Bytes of the partial message are given
/// back at once, so a message larger than the window can still arrive; bytes of complete
/// messages only once the caller has read them. The server can therefore be at most one stream
/// window, plus the bytes of one message it sent early, ahead of the reader.
///
/// Kept as running totals, so every byte is given back exactly once and never before it arrived:
/// the credit handed out so far is `max over time of (partial + read)`, which never exceeds
/// `received`, and equals it once every message is read and none is partial. A value type with no
/// I/O, owned by ``ClientStreamStateMachine``.
struct ResponseWindowLedger: Sendable, Hashable {
    /// DATA payload bytes received.
    private(set) var received = 0
    /// Wire bytes (5-byte prefix included) of the complete messages delivered to the caller.
    private(set) var delivered = 0
    /// Wire bytes of delivered messages the caller has read (never more than `delivered`).
    private(set) var read = 0
    /// Bytes given back to the server so far.
    private(set) var returned = 0

    /// Received bytes not given back yet: what the server cannot send again until they are.
    var outstanding: Int { received - returned }
    /// Wire bytes of delivered messages the caller has not read.
    var unread: Int { delivered - read }

    /// DATA arrived: `count` payload bytes, which completed messages of `completedWireBytes`.
    mutating func received(_ count: Int, completingMessagesOf completedWireBytes: Int) {
        received += count
        delivered += completedWireBytes
        precondition(delivered <= received, "more message bytes completed than received")
    }

    /// The caller read messages of `wireBytes`; reports beyond what was delivered are capped.
    mutating func read(wireBytes: Int) {
        read = min(read + max(0, wireBytes), delivered)
    }

    /// The credit to give back now (0 when there is none); counted as returned.
    mutating func takeCredit() -> Int {
        let target = (received - delivered) + read
        guard target > returned else { return 0 }
        defer { returned = target }
        return target - returned
    }
}

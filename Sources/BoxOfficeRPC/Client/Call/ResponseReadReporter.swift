/// Tells a call's connection how many response bytes the caller has read, so the server gets
/// its flow-control window back only as fast as the caller reads.
///
/// Reads are reported in batches of at least ``batchBytes`` (a quarter of the stream window):
/// one event-loop hop per batch, not per message. The reads not yet reported stay below a
/// quarter of the window, and nghttp2 holds back less than half of it, so a caller that has read
/// everything delivered never leaves the server without window (no deadlock).
struct ResponseReadReporter: Sendable {
    /// Reports smaller than this wait for more reads.
    let batchBytes: Int
    /// Hands a batch of read bytes to the connection.
    let report: @Sendable (_ wireBytes: Int) -> Void

    /// Counts one message of `payloadBytes` read into `unreported`, reporting when the batch is full.
    func messageRead(payloadBytes: Int, unreported: inout Int) {
        unreported += payloadBytes + GRPCMessageFramer.prefixLength
        guard unreported >= batchBytes else { return }
        report(unreported)
        unreported = 0
    }
}

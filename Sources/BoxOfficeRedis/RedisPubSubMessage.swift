/// A message published to a channel that a ``RedisSubscription`` listens to.
public struct RedisPubSubMessage: Sendable, Hashable {
    /// The channel the message was published to.
    public var channel: String
    /// The pattern that matched, for pattern subscriptions (`PSUBSCRIBE`); `nil` for plain ones.
    public var pattern: String?
    /// The published payload; binary-safe.
    public var payload: [UInt8]

    /// Creates a message.
    public init(channel: String, pattern: String? = nil, payload: [UInt8]) {
        self.channel = channel
        self.pattern = pattern
        self.payload = payload
    }

    /// The payload as UTF-8 text.
    public var text: String { String(decoding: payload, as: UTF8.self) }

    /// Reads a RESP2 push (`message` or `pmessage` array); `nil` for anything else.
    init?(push reply: RESPValue) {
        guard case .array(let parts) = reply, let kind = parts.first?.string else { return nil }
        switch (kind, parts.count) {
        case ("message", 3):
            guard let channel = parts[1].string, let payload = parts[2].bytes else { return nil }
            self.init(channel: channel, payload: payload)
        case ("pmessage", 4):
            guard let pattern = parts[1].string, let channel = parts[2].string, let payload = parts[3].bytes else { return nil }
            self.init(channel: channel, pattern: pattern, payload: payload)
        default:
            return nil
        }
    }
}

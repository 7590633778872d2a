/// Where and how to connect to a Redis server.
public struct RedisConfiguration: Sendable, Hashable {
    /// Host name or IP address.
    public var host: String
    /// TCP port.
    public var port: Int
    /// ACL user for `AUTH user password`; `nil` authenticates as the default user.
    public var username: String?
    /// Password for `AUTH`; `nil` skips AUTH.
    public var password: String?
    /// Logical database chosen with `SELECT` after connecting; 0 skips SELECT.
    public var database: Int
    /// How long one TCP connect attempt may take.
    public var connectTimeout: Duration

    /// Creates a configuration.
    public init(host: String = "127.0.0.1", port: Int = 6379, username: String? = nil, password: String? = nil,
                database: Int = 0, connectTimeout: Duration = .seconds(2)) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.connectTimeout = connectTimeout
    }

    /// Parses `redis://[[user]:password@]host[:port][/database]`.
    ///
    /// User and password may be percent-encoded. Throws ``RedisError/Code/invalidConfiguration``
    /// for other schemes or malformed parts.
    public init(url: String) throws(RedisError) {
        func invalid(_ why: String) -> RedisError {
            RedisError(code: .invalidConfiguration, message: "invalid Redis URL: \(why)")
        }
        guard url.hasPrefix("redis://") else { throw invalid("it must start with redis://") }
        var rest = Substring(url.dropFirst("redis://".count))
        var database = 0
        if let slash = rest.firstIndex(of: "/") {
            let path = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
            if !path.isEmpty {
                guard let number = Int(path), number >= 0 else { throw invalid("database '\(path)' is not a number") }
                database = number
            }
        }
        var username: String?
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let userInfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = userInfo.firstIndex(of: ":") {
                let user = try Self.percentDecoded(userInfo[..<colon], invalid)
                username = user.isEmpty ? nil : user
                password = try Self.percentDecoded(userInfo[userInfo.index(after: colon)...], invalid)
            } else if !userInfo.isEmpty {
                // `redis://secret@host` is the common shorthand for a password alone.
                password = try Self.percentDecoded(userInfo, invalid)
            }
        }
        var port = 6379
        if let colon = rest.lastIndex(of: ":") {
            guard let number = Int(rest[rest.index(after: colon)...]), (1...65535).contains(number) else {
                throw invalid("bad port")
            }
            port = number
            rest = rest[..<colon]
        }
        guard !rest.isEmpty else { throw invalid("no host") }
        self.init(host: String(rest), port: port, username: username, password: password, database: database)
    }

    private static func percentDecoded(_ text: Substring, _ invalid: (String) -> RedisError) throws(RedisError) -> String {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else { bytes.append(byte); continue }
            guard let high = iterator.next(), let low = iterator.next(),
                  let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) else {
                throw invalid("bad percent-encoding")
            }
            bytes.append(value)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

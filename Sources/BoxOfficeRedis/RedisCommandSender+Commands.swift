/// When `SET` may write.
public enum RedisSetCondition: Sendable, Hashable {
    /// Always write.
    case always
    /// `NX`: only when the key does not exist.
    case ifNotExists
    /// `XX`: only when the key exists.
    case ifExists
}

/// Typed helpers for the commands the services use. Every helper throws ``RedisError``:
/// ``RedisError/Code/serverError`` for an error reply (e.g. `WRONGTYPE`),
/// ``RedisError/Code/protocolViolation`` when the reply has an unexpected shape.
extension RedisCommandSender {
    /// `PING`; returns the server's answer (`PONG`).
    public func ping() async throws -> String {
        try await expectString(send("PING"), "PING")
    }

    /// `GET key`; `nil` when the key does not exist.
    public func get(_ key: String) async throws -> [UInt8]? {
        let reply = try await send("GET", key)
        if reply.isNull { return nil }
        guard let bytes = reply.bytes else { throw unexpected(reply, "GET") }
        return bytes
    }

    /// `GET key` decoded as UTF-8; `nil` when the key does not exist.
    public func getString(_ key: String) async throws -> String? {
        try await get(key).map { String(decoding: $0, as: UTF8.self) }
    }

    /// `SET key value [PX milliseconds] [NX|XX]`.
    /// - Returns: whether the value was written (`false` when the condition did not hold).
    @discardableResult
    public func set(_ key: String, to value: some RedisArgument, expiration: Duration? = nil,
                    condition: RedisSetCondition = .always) async throws -> Bool {
        var command = RedisCommand("SET", key)
        command.append(value)
        if let expiration {
            command.append("PX")
            command.append(Int(milliseconds(expiration)))
        }
        switch condition {
        case .always: break
        case .ifNotExists: command.append("NX")
        case .ifExists: command.append("XX")
        }
        let reply = try await send(command)
        return !reply.isNull
    }

    /// `DEL key...`; returns how many keys existed.
    @discardableResult
    public func delete(_ keys: [String]) async throws -> Int {
        try await expectInt(send(RedisCommand("DEL", arguments: keys)), "DEL")
    }

    /// `INCRBY key amount`; returns the new value.
    @discardableResult
    public func increment(_ key: String, by amount: Int64 = 1) async throws -> Int64 {
        let reply = try await send("INCRBY", key, amount)
        guard case .integer(let value) = reply else { throw unexpected(reply, "INCRBY") }
        return value
    }

    /// `HSET key field value...`; returns how many fields were new.
    @discardableResult
    public func hset(_ key: String, fields: [(field: String, value: any RedisArgument)]) async throws -> Int {
        var command = RedisCommand("HSET", key)
        for (field, value) in fields {
            command.append(field)
            command.append(value)
        }
        return try await expectInt(send(command), "HSET")
    }

    /// `HGET key field`; `nil` when the key or field does not exist.
    public func hget(_ key: String, field: String) async throws -> [UInt8]? {
        let reply = try await send("HGET", key, field)
        if reply.isNull { return nil }
        guard let bytes = reply.bytes else { throw unexpected(reply, "HGET") }
        return bytes
    }

    /// `HGETALL key`; empty when the key does not exist.
    public func hgetall(_ key: String) async throws -> [String: [UInt8]] {
        let reply = try await send("HGETALL", key)
        guard let items = reply.array, items.count % 2 == 0 else { throw unexpected(reply, "HGETALL") }
        var result: [String: [UInt8]] = [:]
        result.reserveCapacity(items.count / 2)
        var index = 0
        while index < items.count {
            guard let field = items[index].string, let value = items[index + 1].bytes else { throw unexpected(reply, "HGETALL") }
            result[field] = value
            index += 2
        }
        return result
    }

    /// `ZADD key score member...`; returns how many members were new.
    @discardableResult
    public func zadd(_ key: String, members: [(score: Double, member: String)]) async throws -> Int {
        var command = RedisCommand("ZADD", key)
        for (score, member) in members {
            command.append(score)
            command.append(member)
        }
        return try await expectInt(send(command), "ZADD")
    }

    /// `ZRANGE key start stop` (by rank, inclusive, negative counts from the end).
    public func zrange(_ key: String, from start: Int, to stop: Int) async throws -> [String] {
        let reply = try await send("ZRANGE", key, start, stop)
        guard let items = reply.array else { throw unexpected(reply, "ZRANGE") }
        return try items.map { item throws(RedisError) in
            guard let member = item.string else { throw unexpected(reply, "ZRANGE") }
            return member
        }
    }

    /// `ZREM key member...`; returns how many members were removed.
    @discardableResult
    public func zrem(_ key: String, members: [String]) async throws -> Int {
        var command = RedisCommand("ZREM", key)
        for member in members { command.append(member) }
        return try await expectInt(send(command), "ZREM")
    }

    /// `ZCARD key`.
    public func zcard(_ key: String) async throws -> Int {
        try await expectInt(send("ZCARD", key), "ZCARD")
    }

    /// `ZRANK key member`; `nil` when the member is absent.
    public func zrank(_ key: String, member: String) async throws -> Int? {
        let reply = try await send("ZRANK", key, member)
        if reply.isNull { return nil }
        return try expectInt(reply, "ZRANK")
    }

    /// `EXPIRE key seconds`; returns whether the key exists (and got the timeout).
    @discardableResult
    public func expire(_ key: String, seconds: Int) async throws -> Bool {
        try await expectInt(send("EXPIRE", key, seconds), "EXPIRE") == 1
    }

    /// `PEXPIRE key milliseconds`; returns whether the key exists (and got the timeout).
    @discardableResult
    public func pexpire(_ key: String, after duration: Duration) async throws -> Bool {
        try await expectInt(send("PEXPIRE", key, milliseconds(duration)), "PEXPIRE") == 1
    }

    /// One `SCAN cursor [MATCH pattern] [COUNT count]` step; the returned cursor is 0 when done.
    public func scan(cursor: UInt64, matching pattern: String? = nil, count: Int? = nil) async throws -> (cursor: UInt64, keys: [String]) {
        var command = RedisCommand("SCAN", String(cursor))
        if let pattern {
            command.append("MATCH")
            command.append(pattern)
        }
        if let count {
            command.append("COUNT")
            command.append(count)
        }
        let reply = try await send(command)
        guard let parts = reply.array, parts.count == 2,
              let next = parts[0].string.flatMap({ UInt64($0) }), let keys = parts[1].array else {
            throw unexpected(reply, "SCAN")
        }
        return (next, try keys.map { key throws(RedisError) in
            guard let name = key.string else { throw unexpected(reply, "SCAN") }
            return name
        })
    }

    /// Every key matching `pattern`, by repeated `SCAN` (keys may repeat if the keyspace changes meanwhile).
    ///
    /// Stops after `maxSteps` SCAN calls so a changing keyspace cannot loop forever.
    public func scanAll(matching pattern: String, count: Int = 1000, maxSteps: Int = 100_000) async throws -> [String] {
        var cursor: UInt64 = 0
        var keys: [String] = []
        for _ in 0..<maxSteps {
            let step = try await scan(cursor: cursor, matching: pattern, count: count)
            keys.append(contentsOf: step.keys)
            cursor = step.cursor
            if cursor == 0 { return keys }
        }
        throw RedisError(code: .timeout, message: "SCAN did not finish within \(maxSteps) steps")
    }

    /// `FLUSHALL`: deletes every key in every database. For tests on a server of their own.
    public func flushAll() async throws {
        try await send("FLUSHALL")
    }

    /// `EVALSHA sha numkeys key... arg...`; see ``evalScript(_:keys:arguments:)`` for the version
    /// that loads the script when the server does not know it.
    public func evalSHA(_ sha1: String, keys: [String], arguments: [any RedisArgument] = []) async throws -> RESPValue {
        try await send(RedisScript.evalSHACommand(sha1: sha1, keys: keys, arguments: arguments))
    }

    private func expectInt(_ reply: RESPValue, _ command: String) throws(RedisError) -> Int {
        guard case .integer(let value) = reply else { throw unexpected(reply, command) }
        return Int(value)
    }

    private func expectString(_ reply: RESPValue, _ command: String) throws(RedisError) -> String {
        guard let text = reply.string else { throw unexpected(reply, command) }
        return text
    }

    private func unexpected(_ reply: RESPValue, _ command: String) -> RedisError {
        RedisError(code: .protocolViolation, message: "unexpected reply to \(command): \(reply)")
    }

    private func milliseconds(_ duration: Duration) -> Int64 {
        let parts = duration.components
        return parts.seconds * 1000 + parts.attoseconds / 1_000_000_000_000_000
    }
}

extension RedisCommandSender {
    /// `DEL key...`; returns how many keys existed.
    @discardableResult
    public func delete(_ keys: String...) async throws -> Int {
        try await delete(keys)
    }
}

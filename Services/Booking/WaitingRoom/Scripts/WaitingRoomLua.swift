/// Lua shared by every waiting-room script: key names, replies, ticket records.
///
/// Every script receives the same five keys of one event, all sharing the hash tag `{ev:ID}`,
/// and touches no other key. Scripts check everything before their first write, because Redis
/// does not roll back a script that fails midway. Instants are milliseconds since 1970, passed in
/// by the service, so a fake clock drives the scripts in tests.
///
/// Keys: 1 config (hash: `settings` JSON, `opens_at`, `abandon_ms`, `admission_ms`, `seq`, and
/// the admission state `credit`, `last_round`, `rate`, `rate_changed`, `version`), 2 user → live
/// ticket id (hash), 3 ticket id → JSON record `{id, user, entered, early, state, admitted,
/// ended, reason}` (hash), 4 the line (sorted set of waiting ticket ids; early arrivals score a
/// random key below 10^12, later ones 10^12 + arrival number), 5 last heartbeat of each waiting
/// ticket (sorted set, milliseconds).
enum WaitingRoomLua {
    static let prelude = #"""
    local K_CONFIG, K_USERS, K_TICKETS, K_LINE, K_SEEN = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]

    local function fail(code, message)
      return cjson.encode({err = code, message = message})
    end

    local function config_number(field)
      return tonumber(redis.call('HGET', K_CONFIG, field) or '0')
    end

    local function load_ticket(id)
      local json = redis.call('HGET', K_TICKETS, id)
      if not json then return nil end
      return cjson.decode(json)
    end

    local function save_ticket(ticket)
      redis.call('HSET', K_TICKETS, ticket.id, cjson.encode(ticket))
    end

    -- Takes a waiting ticket out of line for good.
    local function abandon(ticket, now)
      redis.call('ZREM', K_LINE, ticket.id)
      redis.call('ZREM', K_SEEN, ticket.id)
      ticket.state = 'expired'
      ticket.reason = 'abandoned'
      ticket.ended = now
      save_ticket(ticket)
    end

    -- Whether a waiting ticket has been silent for longer than the room allows.
    local function is_silent(id, now, abandon_ms)
      local seen = redis.call('ZSCORE', K_SEEN, id)
      return (not seen) or tonumber(seen) + abandon_ms < now
    end

    -- The ticket with its place in line, the line's length and what a wait estimate needs.
    local function describe(ticket, replay)
      local position = 0
      if ticket.state == 'waiting' then
        local rank = redis.call('ZRANK', K_LINE, ticket.id)
        if rank then position = rank + 1 end
      end
      local config = redis.call('HMGET', K_CONFIG, 'settings', 'rate')
      return cjson.encode({ticket = ticket, replay = replay, position = position,
        length = redis.call('ZCARD', K_LINE), settings = config[1], rate = tonumber(config[2] or '')})
    end

    """#
}

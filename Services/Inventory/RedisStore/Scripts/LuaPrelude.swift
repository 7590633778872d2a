/// Lua shared by every hold script: key names, replies and the writes that free a hold.
///
/// Every script receives the same eleven keys of one event, all sharing the hash tag `{ev:ID}`
/// so the scripts work on Redis Cluster, and none touches a key it was not given. Scripts check
/// everything before their first write, because Redis does not roll back a script that fails
/// midway. Instants are milliseconds since 1970, passed in by the service.
///
/// Keys: 1 meta (hash: loaded, seats), 2 seats (string, one byte per seat: `0` available,
/// `1` held, `2` sold), 3 seat → hold id (hash), 4 layout (hash: `s:SECTION`, `t:TIER`, `all` →
/// rows `rank,firstSeat,count,sectionIndex,sectionKey,tierKey;…`), 5 available counts (hash:
/// `all`, `s:SECTION`, `t:TIER`), 6 GA pools (hash: `CODE:cap`, `CODE:held`, `CODE:sold`),
/// 7 tickets per holder (hash), 8 idempotency keys (hash: `holder\nkey` → hold id), 9 live holds by
/// deadline (sorted set), 10 holds (hash: id → JSON record), 11 ended holds by end time (sorted set).
enum LuaPrelude {
    static let source = #"""
    local K_META, K_SEATS, K_SEATHOLD, K_LAYOUT, K_AVAIL, K_GA = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
    local K_HOLDERS, K_IDEM, K_EXPIRY, K_HOLDS, K_ENDED = KEYS[7], KEYS[8], KEYS[9], KEYS[10], KEYS[11]

    local function fail(code, message)
      return cjson.encode({err = code, message = message})
    end

    local function reply(record, replay)
      return cjson.encode({hold = record, replay = replay})
    end

    local function is_loaded()
      return redis.call('HGET', K_META, 'loaded') == '1'
    end

    local function deadline(record)
      if record.pinned and record.pinned > record.expires then return record.pinned end
      return record.expires
    end

    local function load_hold(id)
      local json = redis.call('HGET', K_HOLDS, id)
      if not json then return nil end
      return cjson.decode(json)
    end

    local function save_hold(record)
      redis.call('HSET', K_HOLDS, record.id, cjson.encode(record))
    end

    -- Frees the seats or units of a live hold and ends it with `status`.
    local function free_hold(record, status, now)
      local count = 0
      for _, seat in ipairs(record.seats or {}) do
        redis.call('SETRANGE', K_SEATS, seat[1] - 1, '0')
        redis.call('HDEL', K_SEATHOLD, seat[1])
        redis.call('HINCRBY', K_AVAIL, seat[2], 1)
        redis.call('HINCRBY', K_AVAIL, seat[3], 1)
        redis.call('HINCRBY', K_AVAIL, 'all', 1)
        count = count + 1
      end
      if record.qty > 0 then
        redis.call('HINCRBY', K_GA, record.pool .. ':held', -record.qty)
        count = count + record.qty
      end
      redis.call('HINCRBY', K_HOLDERS, record.holder, -count)
      redis.call('ZREM', K_EXPIRY, record.id)
      redis.call('ZADD', K_ENDED, now, record.id)
      record.status = status
      record.ended = now
      save_hold(record)
    end

    -- Records a new hold of `seats` (each {id, sectionKey, tierKey}) or GA units.
    local function take_hold(record)
      for _, seat in ipairs(record.seats or {}) do
        redis.call('SETRANGE', K_SEATS, seat[1] - 1, '1')
        redis.call('HSET', K_SEATHOLD, seat[1], record.id)
        redis.call('HINCRBY', K_AVAIL, seat[2], -1)
        redis.call('HINCRBY', K_AVAIL, seat[3], -1)
        redis.call('HINCRBY', K_AVAIL, 'all', -1)
      end
      if record.qty > 0 then redis.call('HINCRBY', K_GA, record.pool .. ':held', record.qty) end
      redis.call('HINCRBY', K_HOLDERS, record.holder, #(record.seats or {}) + record.qty)
      if record.idem ~= '' then redis.call('HSET', K_IDEM, record.holder .. '\n' .. record.idem, record.id) end
      redis.call('ZADD', K_EXPIRY, record.expires, record.id)
      save_hold(record)
    end

    -- Checks shared by every new hold: loaded, idempotent replay, holder cap. Returns a reply to
    -- send at once, or nil to go on.
    local function precheck_new_hold(holder, idem, cap, quantity)
      if not is_loaded() then return fail('not_loaded', 'event is not loaded in Redis') end
      if idem ~= '' then
        local existing = redis.call('HGET', K_IDEM, holder .. '\n' .. idem)
        if existing then
          local record = load_hold(existing)
          if record then return reply(record, true) end
        end
      end
      if cap > 0 then
        local current = tonumber(redis.call('HGET', K_HOLDERS, holder) or '0')
        if current + quantity > cap then
          return fail('holder_cap', 'holder ' .. holder .. ' already holds or owns ' .. current .. ' of at most ' ..
            cap .. ' tickets; ' .. quantity .. ' more would pass the cap')
        end
      end
      return nil
    end

    """#
}

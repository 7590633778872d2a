/// One sweep: expires up to `limit` holds whose deadline has passed (skipping those being
/// confirmed until their guard lapses) and forgets ended holds older than the retention.
///
/// ARGV: now, limit, retention (ms). Replies `{expired: [ids], more: bool}`, or `not_loaded` so the
/// store notices within one sweep that Redis lost its data. The limit keeps
/// each call far below Redis's busy-script threshold; the sweeper calls again while it is reached.
enum ExpireHoldsScript {
    static let source = LuaPrelude.source + #"""
    local now, limit, retention = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
    if not is_loaded() then return fail('not_loaded', 'event is not loaded in Redis') end
    local due = redis.call('ZRANGEBYSCORE', K_EXPIRY, '-inf', now, 'LIMIT', 0, limit)
    local expired = {}
    for _, id in ipairs(due) do
      local record = load_hold(id)
      if not record then
        redis.call('ZREM', K_EXPIRY, id)
      elseif record.status ~= 'active' and record.status ~= 'pinned' then
        redis.call('ZREM', K_EXPIRY, id)
      elseif record.confirming and record.confirming > now then
        redis.call('ZADD', K_EXPIRY, record.confirming, id)
      elseif deadline(record) > now then
        redis.call('ZADD', K_EXPIRY, deadline(record), id)
      else
        free_hold(record, 'expired', now)
        expired[#expired + 1] = id
      end
    end
    local old = redis.call('ZRANGEBYSCORE', K_ENDED, '-inf', now - retention, 'LIMIT', 0, limit)
    for _, id in ipairs(old) do
      local record = load_hold(id)
      if record and record.idem ~= '' then redis.call('HDEL', K_IDEM, record.holder .. '\n' .. record.idem) end
      redis.call('HDEL', K_HOLDS, id)
      redis.call('ZREM', K_ENDED, id)
    end
    local result = {more = #due == limit}
    if #expired > 0 then result.expired = expired end
    return cjson.encode(result)
    """#
}

/// Loads an event's state into Redis (on start, or after Redis lost its data) unless it is there.
///
/// ARGV: 1 seat count, 2 seat statuses (one byte per seat), then `count` pairs for each of: layout
/// fields, available counters, GA counters, holder counts, seat → hold ids (sold seats), given as
/// ARGV[3..7] counts followed by the pairs in that order. Atomic: a concurrent hold sees either
/// no event (`not_loaded`) or all of it. Replies `loaded` or `present`.
///
/// ``forcedSource`` reloads even when the event is present: used when a confirm finds its hold
/// gone (Redis lost its data after the check), because a rebuild that read PostgreSQL before that
/// sale committed may have loaded a stale picture.
enum LoadEventScript {
    static let source = LuaPrelude.source + #"""
    if is_loaded() then return 'present' end
    """# + "\n" + body

    static let forcedSource = LuaPrelude.source + body

    private static let body = #"""
    local pairs_total = 0
    for t = 1, 5 do pairs_total = pairs_total + tonumber(ARGV[2 + t]) end
    if #ARGV ~= 7 + 2 * pairs_total or string.len(ARGV[2]) ~= tonumber(ARGV[1]) then
      return redis.error_reply('ERR load arguments do not match their counts')
    end
    redis.call('DEL', K_META, K_SEATS, K_SEATHOLD, K_LAYOUT, K_AVAIL, K_GA, K_HOLDERS, K_IDEM, K_EXPIRY, K_HOLDS, K_ENDED)
    if tonumber(ARGV[1]) > 0 then redis.call('SET', K_SEATS, ARGV[2]) end
    local targets = {K_LAYOUT, K_AVAIL, K_GA, K_HOLDERS, K_SEATHOLD}
    local index = 8
    for t = 1, 5 do
      local count = tonumber(ARGV[2 + t])
      for _ = 1, count do
        redis.call('HSET', targets[t], ARGV[index], ARGV[index + 1])
        index = index + 2
      end
    end
    redis.call('HSET', K_META, 'seats', ARGV[1], 'loaded', '1')
    return 'loaded'
    """#
}

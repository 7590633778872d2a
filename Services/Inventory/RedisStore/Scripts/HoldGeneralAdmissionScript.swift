/// Holds N units of a general-admission pool.
///
/// ARGV: hold id, holder, idempotency key, now, expires, cap, created, pool code, quantity.
/// Replies `sold_out` when the pool has fewer free units, answered from the pool's counters.
enum HoldGeneralAdmissionScript {
    static let source = LuaPrelude.source + #"""
    local id, holder, idem = ARGV[1], ARGV[2], ARGV[3]
    local now, expires, cap, created = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
    local pool, quantity = ARGV[8], tonumber(ARGV[9])
    local early = precheck_new_hold(holder, idem, cap, quantity)
    if early then return early end
    local counts = redis.call('HMGET', K_GA, pool .. ':cap', pool .. ':held', pool .. ':sold')
    if not counts[1] then return fail('not_found', 'no general-admission pool ' .. pool) end
    local free = tonumber(counts[1]) - tonumber(counts[2] or '0') - tonumber(counts[3] or '0')
    if free < quantity then
      return fail('sold_out', 'only ' .. free .. ' units left in pool ' .. pool)
    end
    local record = {id = id, holder = holder, status = 'active', qty = quantity, pool = pool,
                    created = created, expires = expires, pinned = 0, order = '', idem = idem, confirming = 0}
    take_hold(record)
    return reply(record, false)
    """#
}

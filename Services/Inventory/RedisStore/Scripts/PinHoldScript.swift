/// Pins a live hold: keeps it past its TTL while a payment is pending.
///
/// ARGV: hold id, holder, now, pin-for (ms), max lifetime (ms). The pin ends at
/// `min(max(now + pinFor, existing pin), created + maxLifetime)`, the rule of ``HoldLifecycle/pin``.
enum PinHoldScript {
    static let source = LuaPrelude.source + #"""
    local id, holder = ARGV[1], ARGV[2]
    local now, pin_for, lifetime = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
    if not is_loaded() then return fail('not_loaded', 'event is not loaded in Redis') end
    local record = load_hold(id)
    if not record then return fail('not_found', 'no hold ' .. id) end
    if record.holder ~= holder then return fail('wrong_holder', 'hold ' .. id .. ' belongs to another holder') end
    if record.status ~= 'active' and record.status ~= 'pinned' then
      return fail('ended', 'hold ' .. id .. ' is ' .. record.status .. '; only a live hold can be pinned')
    end
    if deadline(record) <= now then return fail('expired', 'hold ' .. id .. ' expired; it cannot be pinned') end
    local wanted = now + pin_for
    if record.pinned and record.pinned > wanted then wanted = record.pinned end
    local bound = record.created + lifetime
    if wanted > bound then wanted = bound end
    if wanted <= now then return fail('lifetime', 'hold ' .. id .. ' has been kept for its longest lifetime') end
    record.pinned = wanted
    record.status = 'pinned'
    redis.call('ZADD', K_EXPIRY, deadline(record), id)
    save_hold(record)
    return reply(record, false)
    """#
}

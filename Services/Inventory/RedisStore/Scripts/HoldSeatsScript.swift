/// Holds specific seats, all or nothing.
///
/// ARGV: hold id, holder, idempotency key, now, expires, cap, created, then per seat three values:
/// seat id, section key, tier key. Replies with the hold record, the existing record for a
/// replayed idempotency key, or `seats_taken` / `holder_cap` / `not_loaded`.
enum HoldSeatsScript {
    static let source = LuaPrelude.source + #"""
    local id, holder, idem = ARGV[1], ARGV[2], ARGV[3]
    local now, expires, cap, created = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
    local seats = {}
    for i = 8, #ARGV, 3 do seats[#seats + 1] = {tonumber(ARGV[i]), ARGV[i + 1], ARGV[i + 2]} end
    local early = precheck_new_hold(holder, idem, cap, #seats)
    if early then return early end
    local taken = {}
    for _, seat in ipairs(seats) do
      if redis.call('GETRANGE', K_SEATS, seat[1] - 1, seat[1] - 1) ~= '0' then taken[#taken + 1] = seat[1] end
    end
    if #taken > 0 then
      return fail('seats_taken', 'seats not available: ' .. table.concat(taken, ', '))
    end
    local record = {id = id, holder = holder, status = 'active', seats = seats, qty = 0, pool = '',
                    created = created, expires = expires, pinned = 0, order = '', idem = idem, confirming = 0}
    take_hold(record)
    return reply(record, false)
    """#
}

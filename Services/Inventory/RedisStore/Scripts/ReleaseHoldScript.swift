/// Releases a live hold (idempotent: an ended hold is answered as it is).
///
/// ARGV: hold id, holder, now. Replies the record, or `not_found` / `wrong_holder` / `confirmed` /
/// `not_loaded`.
enum ReleaseHoldScript {
    static let source = LuaPrelude.source + #"""
    local id, holder, now = ARGV[1], ARGV[2], tonumber(ARGV[3])
    if not is_loaded() then return fail('not_loaded', 'event is not loaded in Redis') end
    local record = load_hold(id)
    if not record then return fail('not_found', 'no hold ' .. id) end
    if record.holder ~= holder then return fail('wrong_holder', 'hold ' .. id .. ' belongs to another holder') end
    if record.status == 'confirmed' then
      return fail('confirmed', 'hold ' .. id .. ' is confirmed; sold seats are not released')
    end
    if record.status == 'released' or record.status == 'expired' then return reply(record, true) end
    free_hold(record, 'released', now)
    return reply(record, false)
    """#
}

/// First half of a confirm: checks the hold may be sold and guards it from the sweeper while
/// the sale is written to PostgreSQL.
///
/// ARGV: hold id, holder, order reference, now, guard-until. Replies the record (`replay` true when
/// already confirmed for this order), or `not_found` / `wrong_holder` / `other_order` / `ended` /
/// `expired` / `not_loaded`. Its only write is the guard.
enum ConfirmCheckScript {
    static let source = LuaPrelude.source + #"""
    local id, holder, order = ARGV[1], ARGV[2], ARGV[3]
    local now, guard_until = tonumber(ARGV[4]), tonumber(ARGV[5])
    if not is_loaded() then return fail('not_loaded', 'event is not loaded in Redis') end
    local record = load_hold(id)
    if not record then return fail('not_found', 'no hold ' .. id) end
    if record.holder ~= holder then return fail('wrong_holder', 'hold ' .. id .. ' belongs to another holder') end
    if record.status == 'confirmed' then
      if record.order == order then return reply(record, true) end
      return fail('other_order', 'hold ' .. id .. ' is already confirmed for another order')
    end
    if record.status == 'released' then return fail('ended', 'hold ' .. id .. ' was released; make a new hold') end
    if record.status == 'expired' or deadline(record) <= now then
      return fail('expired', 'hold ' .. id .. ' expired; make a new hold')
    end
    record.confirming = guard_until
    save_hold(record)
    return reply(record, false)
    """#
}

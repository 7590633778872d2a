/// Second half of a confirm, after PostgreSQL recorded the sale: marks the seats or units sold.
///
/// ARGV: hold id, order reference, now. Idempotent. The holder's ticket count stays (owned tickets
/// count against the cap). Replies the record or `not_found` / `not_loaded`.
enum ConfirmFinishScript {
    static let source = LuaPrelude.source + #"""
    local id, order, now = ARGV[1], ARGV[2], tonumber(ARGV[3])
    if not is_loaded() then return fail('not_loaded', 'event is not loaded in Redis') end
    local record = load_hold(id)
    if not record then return fail('not_found', 'no hold ' .. id) end
    if record.status == 'confirmed' then return reply(record, true) end
    if record.status == 'released' or record.status == 'expired' then
      -- PostgreSQL sold it after Redis let it go (a crash between the two halves): take it back.
      for _, seat in ipairs(record.seats or {}) do
        local status = redis.call('GETRANGE', K_SEATS, seat[1] - 1, seat[1] - 1)
        if status == '0' then
          redis.call('HINCRBY', K_AVAIL, seat[2], -1)
          redis.call('HINCRBY', K_AVAIL, seat[3], -1)
          redis.call('HINCRBY', K_AVAIL, 'all', -1)
        end
      end
      redis.call('HINCRBY', K_HOLDERS, record.holder, #(record.seats or {}) + record.qty)
      if record.qty > 0 then redis.call('HINCRBY', K_GA, record.pool .. ':held', record.qty) end
      redis.call('ZREM', K_ENDED, id)
    end
    for _, seat in ipairs(record.seats or {}) do
      redis.call('SETRANGE', K_SEATS, seat[1] - 1, '2')
      redis.call('HSET', K_SEATHOLD, seat[1], id)
    end
    if record.qty > 0 then
      redis.call('HINCRBY', K_GA, record.pool .. ':held', -record.qty)
      redis.call('HINCRBY', K_GA, record.pool .. ':sold', record.qty)
    end
    redis.call('ZREM', K_EXPIRY, id)
    record.status = 'confirmed'
    record.order = order
    record.confirming = 0
    record.ended = nil
    save_hold(record)
    return reply(record, false)
    """#
}

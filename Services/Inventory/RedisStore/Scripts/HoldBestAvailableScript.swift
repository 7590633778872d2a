/// Holds the best block of N adjacent available seats (the rule of ``BestAvailableSearch``).
///
/// ARGV: hold id, holder, idempotency key, now, expires, cap, created, quantity, layout field
/// (`s:SECTION`, `t:TIER` or `all`), available-count field, tier key to filter rows by (or empty).
/// A counter below the quantity answers `sold_out` without scanning; otherwise the rows are scanned
/// and `no_adjacent` answers when no row has the block.
enum HoldBestAvailableScript {
    static let source = LuaPrelude.source + #"""
    local id, holder, idem = ARGV[1], ARGV[2], ARGV[3]
    local now, expires, cap, created = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
    local quantity, layout_field, avail_field, tier_filter = tonumber(ARGV[8]), ARGV[9], ARGV[10], ARGV[11]
    local early = precheck_new_hold(holder, idem, cap, quantity)
    if early then return early end
    local available = tonumber(redis.call('HGET', K_AVAIL, avail_field) or '0')
    if available < quantity then
      return fail('sold_out', 'only ' .. available .. ' seats left')
    end
    local rows = redis.call('HGET', K_LAYOUT, layout_field) or ''
    local best = nil
    local function better(rank, distance, section, start)
      if best == nil then return true end
      if rank ~= best.rank then return rank < best.rank end
      if distance ~= best.distance then return distance < best.distance end
      if section ~= best.section then return section < best.section end
      return start < best.start
    end
    for row in string.gmatch(rows, '[^;]+') do
      local rank, first, count, section, skey, tkey = string.match(row, '^(%d+),(%d+),(%d+),(%d+),([^,]+),([^,]+)$')
      rank, first, count, section = tonumber(rank), tonumber(first), tonumber(count), tonumber(section)
      if count >= quantity and (tier_filter == '' or tkey == tier_filter) and (best == nil or rank <= best.rank) then
        local statuses = redis.call('GETRANGE', K_SEATS, first - 1, first + count - 2)
        local ideal = count - quantity
        local run_start = 0
        for p = 0, count do
          local free = p < count and string.byte(statuses, p + 1) == 48
          if not free then
            if p - run_start >= quantity then
              local low, high = run_start, p - quantity
              for _, candidate in ipairs({math.floor(ideal / 2), math.floor((ideal + 1) / 2)}) do
                local start = math.min(math.max(candidate, low), high)
                local distance = math.abs(2 * start - ideal)
                if better(rank, distance, section, first + start) then
                  best = {rank = rank, distance = distance, section = section, start = first + start, skey = skey, tkey = tkey}
                end
              end
            end
            run_start = p + 1
          end
        end
      end
    end
    if best == nil then
      return fail('no_adjacent', 'no row has ' .. quantity .. ' adjacent seats available')
    end
    local seats = {}
    for i = 0, quantity - 1 do seats[#seats + 1] = {best.start + i, best.skey, best.tkey} end
    local record = {id = id, holder = holder, status = 'active', seats = seats, qty = 0, pool = '',
                    created = created, expires = expires, pinned = 0, order = '', idem = idem, confirming = 0}
    take_hold(record)
    return reply(record, false)
    """#
}

/// One admission round for one event: takes silent users out of line, admits up to the decided
/// number from the front (skipping and expiring silent ones, which cost no credit), and stores
/// the new admission state — unless another round ran since the state was read (then nothing
/// changes and the caller skips this round).
///
/// ARGV: expected version, now, users to admit, credit, last_round, rate, rate_changed ('' for
/// none), most silent users to expire beyond the admitted. Replies an array: `{0}` on a version
/// conflict, else `{1, admitted count, expired count, line length, admitted ids...}`.
enum AdmitRoundScript {
    static let source = WaitingRoomLua.prelude + #"""
    local expected, now, count = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
    local credit, last_round, rate, rate_changed, sweep = tonumber(ARGV[4]), ARGV[5], ARGV[6], ARGV[7], tonumber(ARGV[8])
    if (redis.call('HGET', K_CONFIG, 'version') or '0') ~= expected then return {0} end
    local abandon_ms = config_number('abandon_ms')
    local cutoff = now - abandon_ms

    local expired = 0
    for _, id in ipairs(redis.call('ZRANGEBYSCORE', K_SEEN, '-inf', '(' .. cutoff, 'LIMIT', 0, sweep)) do
      local ticket = load_ticket(id)
      if ticket and ticket.state == 'waiting' then
        abandon(ticket, now)
        expired = expired + 1
      else
        redis.call('ZREM', K_LINE, id)
        redis.call('ZREM', K_SEEN, id)
      end
    end

    local admitted = {}
    local scanned = 0
    while #admitted < count and scanned < count + sweep do
      local popped = redis.call('ZPOPMIN', K_LINE)
      if #popped == 0 then break end
      scanned = scanned + 1
      local id = popped[1]
      local ticket = load_ticket(id)
      if ticket and ticket.state == 'waiting' then
        if is_silent(id, now, abandon_ms) then
          abandon(ticket, now)
          expired = expired + 1
        else
          redis.call('ZREM', K_SEEN, id)
          ticket.state = 'admitted'
          ticket.admitted = now
          save_ticket(ticket)
          admitted[#admitted + 1] = id
        end
      else
        redis.call('ZREM', K_SEEN, id)
      end
    end

    credit = math.max(0, credit - #admitted)
    redis.call('HSET', K_CONFIG, 'credit', string.format('%.6f', credit), 'last_round', last_round, 'rate', rate)
    if rate_changed ~= '' then redis.call('HSET', K_CONFIG, 'rate_changed', rate_changed) end
    redis.call('HINCRBY', K_CONFIG, 'version', 1)
    local reply = {1, #admitted, expired, redis.call('ZCARD', K_LINE)}
    for _, id in ipairs(admitted) do reply[#reply + 1] = id end
    return reply
    """#
}

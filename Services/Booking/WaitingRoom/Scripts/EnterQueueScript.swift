/// Puts a user in line, or answers with the ticket they already hold (idempotent per user and
/// event). A user whose waiting ticket went silent, or whose admission lapsed, gets a new ticket
/// at the back.
///
/// ARGV: user, id for a new ticket, now, random key for an early arrival (0 ≤ key < 10^12).
/// Replies the description of `describe`, or `not_configured`.
enum EnterQueueScript {
    static let source = WaitingRoomLua.prelude + #"""
    local user, new_id, now, early_key = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
    if redis.call('EXISTS', K_CONFIG) == 0 then return fail('not_configured', 'no waiting room') end
    local opens_at = config_number('opens_at')
    local abandon_ms = config_number('abandon_ms')
    local admission_ms = config_number('admission_ms')

    local existing_id = redis.call('HGET', K_USERS, user)
    if existing_id then
      local ticket = load_ticket(existing_id)
      if ticket and ticket.state == 'waiting' then
        if not is_silent(ticket.id, now, abandon_ms) then
          redis.call('ZADD', K_SEEN, 'GT', now, ticket.id)
          return describe(ticket, true)
        end
        abandon(ticket, now)
      elseif ticket and ticket.state == 'admitted' and ticket.admitted + admission_ms > now then
        return describe(ticket, true)
      end
    end

    local early = now < opens_at
    local score = early_key
    if not early then
      score = string.format('%.0f', 1e12 + redis.call('HINCRBY', K_CONFIG, 'seq', 1))
    end
    local ticket = {id = new_id, user = user, entered = now, early = early, state = 'waiting'}
    save_ticket(ticket)
    redis.call('HSET', K_USERS, user, new_id)
    redis.call('ZADD', K_LINE, score, new_id)
    redis.call('ZADD', K_SEEN, now, new_id)
    return describe(ticket, false)
    """#
}

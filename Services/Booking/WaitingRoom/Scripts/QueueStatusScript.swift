/// A ticket's status, which is also the user's heartbeat: a waiting ticket silent for longer than
/// the room allows loses its place here (if the admission round did not take it out already).
///
/// ARGV: ticket id, user, now. Replies the description of `describe`, or `not_configured` /
/// `not_found` / `other_user`.
enum QueueStatusScript {
    static let source = WaitingRoomLua.prelude + #"""
    local id, user, now = ARGV[1], ARGV[2], tonumber(ARGV[3])
    if redis.call('EXISTS', K_CONFIG) == 0 then return fail('not_configured', 'no waiting room') end
    local ticket = load_ticket(id)
    if not ticket then return fail('not_found', 'no ticket') end
    if ticket.user ~= user then return fail('other_user', 'ticket of another user') end
    if ticket.state == 'waiting' then
      if is_silent(id, now, config_number('abandon_ms')) then
        abandon(ticket, now)
      else
        redis.call('ZADD', K_SEEN, 'GT', now, id)
      end
    end
    return describe(ticket, true)
    """#
}

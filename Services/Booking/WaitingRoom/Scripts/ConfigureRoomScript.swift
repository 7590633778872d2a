/// Creates or changes an event's waiting room. Keeps the line, the tickets and the admission
/// credit; a new rate takes effect at the next round.
///
/// ARGV: settings JSON, opens_at ms, abandon_ms, admission_ms, initial rate. Replies `created` or
/// `updated`.
enum ConfigureRoomScript {
    static let source = WaitingRoomLua.prelude + #"""
    local settings, opens_at, abandon_ms, admission_ms, rate = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
    local existed = redis.call('EXISTS', K_CONFIG) == 1
    redis.call('HSET', K_CONFIG, 'settings', settings, 'opens_at', opens_at, 'abandon_ms', abandon_ms,
      'admission_ms', admission_ms)
    if not existed then redis.call('HSET', K_CONFIG, 'rate', rate, 'credit', '0', 'version', '0') end
    if existed then return 'updated' end
    return 'created'
    """#
}

/// One per-user token bucket: refills continuously at the configured rate up to its capacity and
/// spends `cost` tokens when it holds them; otherwise says how long until it will.
///
/// KEYS: the bucket (hash: `tokens`, `at`). ARGV: capacity, refill per second, now (ms), cost.
/// Replies `{1, tokens left ×1000}` when allowed, `{0, retry after ms}` when refused. The bucket
/// expires once it would be full again, so idle users cost no memory.
enum TokenBucketScript {
    static let source = #"""
    local capacity, refill, now, cost = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
    local stored = redis.call('HMGET', KEYS[1], 'tokens', 'at')
    local tokens, at = tonumber(stored[1]), tonumber(stored[2])
    if not tokens or not at then
      tokens, at = capacity, now
    end
    if now > at then
      tokens = math.min(capacity, tokens + (now - at) * refill / 1000)
      at = now
    end
    if tokens >= cost then
      tokens = tokens - cost
      redis.call('HSET', KEYS[1], 'tokens', string.format('%.6f', tokens), 'at', string.format('%.0f', at))
      redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) * 1000 / refill) + 1000)
      return {1, math.floor(tokens * 1000)}
    end
    if refill <= 0 or cost > capacity then return {0, -1} end
    return {0, math.ceil((cost - tokens) * 1000 / refill)}
    """#
}

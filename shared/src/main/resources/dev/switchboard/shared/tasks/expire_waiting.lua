-- Bounded Redis for queues nobody reads: a task that waited longer than waitingTtlMs in a queue no live worker
-- consumes (no heartbeat within liveMs in the consumed set) leaves its stream and ends REVOKED (TaskExpired), counted
-- per queue as expired:{queue} in the stats hash. Queues a worker consumes are never touched, paused or not: their
-- tasks wait their turn. At most `limit` tasks per call (the sweeping worker calls again while `more`). Uses
-- waiting.lua.
-- KEYS[1] queue set, KEYS[2] consumed zset, KEYS[3] stats hash
-- ARGV: streamPrefix, group, taskPrefix, now, waitingTtlMs, liveMs, resultTtlMs, limit
-- Returns {"expired": n, "more": bool, "events": [{id, name, seq}]}
local streamPrefix, group, prefix = ARGV[1], ARGV[2], ARGV[3]
local now, waitingTtl, live, ttl = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[7]
local left = tonumber(ARGV[8])
local expired, more, events = 0, false, {}
-- entry ids start with their time in ms: every entry up to this one has waited longer than the TTL
local cutoff = tostring(now - waitingTtl - 1)

for _, queue in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local seen = redis.call('ZSCORE', KEYS[2], queue)
  if not seen or tonumber(seen) <= now - live then
    local error = cjson.encode({type = 'TaskExpired', message = 'waited longer than ' .. waitingTtl .. ' ms in queue '
      .. queue .. ', which no worker consumes'})
    local count = 0
    for priority = 9, 0, -1 do
      local taken, rest = take_waiting(streamPrefix .. queue .. ':' .. priority, group, cutoff, left, prefix, now, ttl,
        error, events)
      count, left, more = count + taken, left - taken, more or rest
    end
    if count > 0 then
      redis.call('HINCRBY', KEYS[3], 'expired:' .. queue, count)
      expired = expired + count
    end
  end
end
return cjson.encode({expired = expired, more = more, events = events})

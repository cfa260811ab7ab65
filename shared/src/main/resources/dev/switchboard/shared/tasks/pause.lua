-- Pause or resume a queue: the paused set is what every worker's claim checks (claim.lua), so the state holds
-- across all workers and their restarts. Only a known queue may be named: one tasks were sent to (queue set), one
-- a live worker consumes (consumed zset, heartbeat within liveMs) or one the caller's configuration names.
-- KEYS[1] paused set, KEYS[2] queue set, KEYS[3] consumed zset
-- ARGV: queue, '1' to pause | '0' to resume | '' to check only, now, liveMs, configured JSON [names], maxPaused
-- Returns {"paused": bool, "changed": bool} or {"known": true} (check only) or {"unknown": true} or {"full": true}
local queue, pause = ARGV[1], ARGV[2] == '1'
local known = redis.call('SISMEMBER', KEYS[2], queue) == 1 or redis.call('SISMEMBER', KEYS[1], queue) == 1
if not known then
  local seen = redis.call('ZSCORE', KEYS[3], queue)
  known = seen and tonumber(seen) > tonumber(ARGV[3]) - tonumber(ARGV[4])
end
if not known then
  for _, name in ipairs(cjson.decode(ARGV[5])) do
    if name == queue then known = true end
  end
end
if not known then return cjson.encode({unknown = true}) end
if ARGV[2] == '' then return cjson.encode({known = true}) end
if pause then
  if redis.call('SISMEMBER', KEYS[1], queue) == 0 and redis.call('SCARD', KEYS[1]) >= tonumber(ARGV[6]) then
    return cjson.encode({full = true})
  end
  return cjson.encode({paused = true, changed = redis.call('SADD', KEYS[1], queue) == 1})
end
return cjson.encode({paused = false, changed = redis.call('SREM', KEYS[1], queue) == 1})

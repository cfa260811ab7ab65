-- channels_redis' group_send, second half: one message per channel key, dropped when the key is at capacity.
-- KEYS: the channel keys; ARGV: one payload per key, then capacity, now (float seconds), expiry (seconds).
-- Returns how many keys were over capacity (channels_redis drops those silently; the bridge counts them).
local n = #KEYS
local capacity = tonumber(ARGV[n + 1])
local now = ARGV[n + 2]
local expiry = tonumber(ARGV[n + 3])
local over = 0
for i = 1, n do
  redis.call('ZREMRANGEBYSCORE', KEYS[i], 0, math.floor(tonumber(now)) - expiry)
  if redis.call('ZCOUNT', KEYS[i], '-inf', '+inf') < capacity then
    redis.call('ZADD', KEYS[i], now, ARGV[i])
    redis.call('EXPIRE', KEYS[i], expiry)
  else
    over = over + 1
  end
end
return over

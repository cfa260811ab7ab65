-- Move due tasks from the delayed set to their streams, atomically; drops revoked, finished or vanished ones.
-- KEYS[1] delayed set; ARGV: now, limit, taskPrefix
-- Returns {"moved": n, "next": due time of the earliest remaining task or nil}
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
local moved = 0
for _, id in ipairs(ids) do
  redis.call('ZREM', KEYS[1], id)
  local h = redis.call('HMGET', ARGV[3] .. id, 'state', 'stream')
  if h[1] and h[1] ~= 'SUCCESS' and h[1] ~= 'FAILURE' and h[1] ~= 'REVOKED' then
    redis.call('XADD', h[2], '*', 'id', id)
    moved = moved + 1
  end
end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return cjson.encode({moved = moved, next = tonumber(first[2])})

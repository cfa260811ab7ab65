-- Purge a queue: its waiting tasks (stream entries no worker has claimed yet) leave the streams and end REVOKED
-- (error Purged), so whoever waits on one learns it instead of waiting forever. Running tasks (claimed, pending in
-- the group) and delayed ones (countdown, ETA, retry backoff) are untouched. At most `limit` per call: the caller
-- calls again while `more` is true, so Redis is never held for long. Uses waiting.lua.
-- KEYS[1] stats hash, KEYS[2..] the queue's streams
-- ARGV: group, taskPrefix, now, resultTtlMs, limit, queue, error JSON
-- Returns {"purged": n, "more": bool, "events": [{id, name, seq}]}
local group, prefix, now, ttl = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local left, queue, error = tonumber(ARGV[5]), ARGV[6], ARGV[7]
local purged, more, events = 0, false, {}

for i = 2, #KEYS do
  local taken, rest = take_waiting(KEYS[i], group, '+', left, prefix, now, ttl, error, events)
  purged, left, more = purged + taken, left - taken, more or rest
end
if purged > 0 then redis.call('HINCRBY', KEYS[1], 'purged:' .. queue, purged) end
return cjson.encode({purged = purged, more = more, events = events})

-- A worker says it is alive: its hash (what GET /api/workers shows), its place in the workers set, and the
-- queues it consumes (clients accept only those, see ConsumedQueues). Entries not refreshed within liveMs are
-- dropped here by whichever worker announces itself next, so both sets hold only live workers and queues.
-- KEYS[1] workers zset, KEYS[2] consumed zset, KEYS[3] this worker's hash
-- ARGV: name, now, hashTtlMs, liveMs, queues JSON, concurrency, busy, completed, started,
--       active JSON [{id, name, started}] (the first of its running tasks)
local now, live = tonumber(ARGV[2]), tonumber(ARGV[4])
redis.call('HSET', KEYS[3], 'name', ARGV[1], 'queues', ARGV[5], 'concurrency', ARGV[6], 'busy', ARGV[7],
  'completed', ARGV[8], 'started', ARGV[9], 'heartbeat', ARGV[2], 'active', ARGV[10])
redis.call('PEXPIRE', KEYS[3], ARGV[3])
redis.call('ZADD', KEYS[1], now, ARGV[1])
for _, queue in ipairs(cjson.decode(ARGV[5])) do
  redis.call('ZADD', KEYS[2], now, queue)
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - live)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - live)
return 1

-- Enqueue one task, idempotently: an id that exists is left alone.
-- Also records the id in the bounded recent list and the queue in the queue set and its counters.
-- KEYS[1] task hash, KEYS[2] its stream, KEYS[3] delayed set, KEYS[4] recent list, KEYS[5] queue set, KEYS[6] stats
-- ARGV: id, name, args, kwargs, options, now, eta, maxLength, queue, priority, notify channel ('' for none),
--       historyLength, maxQueues (bound of the queue set, and so of the per-queue stats)
-- Returns {"created": bool, "state": ..., "seq": n} or {"full": true} or {"queues": true} (too many queues)
local task, stream, delayed = KEYS[1], KEYS[2], KEYS[3]
local existing = redis.call('HGET', task, 'state')
if existing then
  return cjson.encode({created = false, state = existing})
end
local now, eta, maxLength = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
if redis.call('SISMEMBER', KEYS[5], ARGV[9]) == 0 and redis.call('SCARD', KEYS[5]) >= tonumber(ARGV[13]) then
  return cjson.encode({queues = true})
end
local later = eta > now
if later then
  if redis.call('ZCARD', delayed) >= maxLength then return cjson.encode({full = true}) end
elseif redis.call('XLEN', stream) >= maxLength then
  return cjson.encode({full = true})
end
redis.call('HSET', task, 'id', ARGV[1], 'name', ARGV[2], 'args', ARGV[3], 'kwargs', ARGV[4],
  'options', ARGV[5], 'queue', ARGV[9], 'priority', ARGV[10], 'stream', stream,
  'state', 'PENDING', 't_PENDING', now, 'seq', 1, 'retries', 0, 'deliveries', 0, 'notify', ARGV[11])
if later then
  redis.call('ZADD', delayed, eta, ARGV[1])
else
  redis.call('XADD', stream, '*', 'id', ARGV[1])
end
redis.call('LPUSH', KEYS[4], ARGV[1])
redis.call('LTRIM', KEYS[4], 0, tonumber(ARGV[12]) - 1)
redis.call('SADD', KEYS[5], ARGV[9])
redis.call('HINCRBY', KEYS[6], 'enqueued:' .. ARGV[9], 1)
return cjson.encode({created = true, state = 'PENDING', seq = 1})

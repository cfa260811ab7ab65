-- Move one Celery envelope from the ingesting list into a Switchboard task under the Celery task id, atomically:
-- the envelope leaves the list in the same step the task is created, so a crash loses nothing and an envelope
-- ingested twice (a restarted worker re-reading the list) creates one task. Marks the hash 'celery' (the meta TTL)
-- so every later state change also writes Celery's result meta (see celery_meta.lua).
-- KEYS[1] ingesting list, KEYS[2] task hash, KEYS[3] stream, KEYS[4] delayed set, KEYS[5] recent list,
-- KEYS[6] queue set, KEYS[7] stats hash, KEYS[8] revoked-before-arrival set (a revoke can beat its task here)
-- ARGV: envelope, id, name, args, kwargs, options, now, eta, maxLength, queue, priority, historyLength, celeryTtl,
--       retries
--       resultTtlMs
-- Returns {"created": bool, "revoked": bool} or {"full": true} (the envelope stays, to be taken again) or {"gone": true}
local task, stream, delayed = KEYS[2], KEYS[3], KEYS[4]
local now, eta, maxLength = tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9])
local later = eta > now
if redis.call('EXISTS', task) == 0 then
  if later then
    if redis.call('ZCARD', delayed) >= maxLength then return cjson.encode({full = true}) end
  elseif redis.call('XLEN', stream) >= maxLength then
    return cjson.encode({full = true})
  end
end
if redis.call('LREM', KEYS[1], 1, ARGV[1]) == 0 then return cjson.encode({gone = true}) end
if redis.call('EXISTS', task) == 1 then return cjson.encode({created = false}) end
if redis.call('ZSCORE', KEYS[8], ARGV[2]) then
  redis.call('ZREM', KEYS[8], ARGV[2])
  redis.call('HSET', task, 'id', ARGV[2], 'name', ARGV[3], 'args', ARGV[4], 'kwargs', ARGV[5], 'options', ARGV[6],
    'queue', ARGV[10], 'priority', ARGV[11], 'state', 'REVOKED', 't_REVOKED', now, 'seq', 1, 'celery', ARGV[13])
  redis.call('PEXPIRE', task, ARGV[15])
  celery_write(ARGV[2], 'REVOKED', CELERY_REVOKED, nil, now, ARGV[13])
  return cjson.encode({created = true, revoked = true})
end
redis.call('HSET', task, 'id', ARGV[2], 'name', ARGV[3], 'args', ARGV[4], 'kwargs', ARGV[5],
  'options', ARGV[6], 'queue', ARGV[10], 'priority', ARGV[11], 'stream', stream,
  'state', 'PENDING', 't_PENDING', now, 'seq', 1, 'retries', tonumber(ARGV[14]), 'deliveries', 0, 'notify', '',
  'celery', ARGV[13])
if later then
  redis.call('ZADD', delayed, eta, ARGV[2])
else
  redis.call('XADD', stream, '*', 'id', ARGV[2])
end
redis.call('LPUSH', KEYS[5], ARGV[2])
redis.call('LTRIM', KEYS[5], 0, tonumber(ARGV[12]) - 1)
redis.call('SADD', KEYS[6], ARGV[10])
redis.call('HINCRBY', KEYS[7], 'enqueued:' .. ARGV[10], 1)
return cjson.encode({created = true})

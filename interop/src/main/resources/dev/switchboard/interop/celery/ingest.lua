-- Make one Celery envelope a Switchboard task under the Celery task id (layout: new_task.lua), idempotently: an
-- envelope ingested twice (a restarted worker re-reading the ingesting list) creates one task. Marks the hash
-- 'celery' (the meta TTL) so every later state change also writes Celery's result meta (see celery_meta.lua), and,
-- when the Celery broker is another Redis, 'celery_out' (the outbox those metas go through, see CeleryMetaRelay).
-- When the ingesting list is on this Redis (remove = '1') the envelope leaves it in the same step, so a crash loses
-- nothing; otherwise the caller removes it from the Celery broker once this has returned.
-- KEYS[1] ingesting list, KEYS[2] task hash, KEYS[3] stream, KEYS[4] delayed set, KEYS[5] recent list,
-- KEYS[6] queue set, KEYS[7] stats hash, KEYS[8] revoked-before-arrival set (a revoke can beat its task here)
-- ARGV: envelope, id, name, args, kwargs, options, now, eta, maxLength, queue, priority, historyLength, celeryTtl,
--       retries, resultTtlMs, remove ('1' | '0'), outbox ('' when the Celery broker is this Redis)
-- Returns {"created": bool, "revoked": bool} or {"full": true} (the envelope stays, to be taken again) or {"gone": true}
local t = {task = KEYS[2], stream = KEYS[3], delayed = KEYS[4], recent = KEYS[5], queues = KEYS[6], stats = KEYS[7],
  id = ARGV[2], name = ARGV[3], args = ARGV[4], kwargs = ARGV[5], options = ARGV[6], now = ARGV[7], eta = ARGV[8],
  maxLength = ARGV[9], queue = ARGV[10], priority = ARGV[11], history = ARGV[12], retries = ARGV[14],
  fields = {'celery', ARGV[13]}}
if ARGV[17] ~= '' then table.insert(t.fields, 'celery_out') table.insert(t.fields, ARGV[17]) end
local exists = redis.call('EXISTS', t.task) == 1
if not exists then
  local refusal = task_refusal(t)
  if refusal then return cjson.encode({full = true}) end
end
if ARGV[16] == '1' and redis.call('LREM', KEYS[1], 1, ARGV[1]) == 0 then return cjson.encode({gone = true}) end
if exists then return cjson.encode({created = false}) end
if redis.call('ZSCORE', KEYS[8], t.id) then
  redis.call('ZREM', KEYS[8], t.id)
  redis.call('HSET', t.task, 'id', t.id, 'name', t.name, 'args', t.args, 'kwargs', t.kwargs, 'options', t.options,
    'queue', t.queue, 'priority', t.priority, 'state', 'REVOKED', 't_REVOKED', t.now, 'seq', 1, unpack(t.fields))
  redis.call('PEXPIRE', t.task, ARGV[15])
  celery_meta(t.task, 'REVOKED', CELERY_REVOKED, nil, t.now)
  return cjson.encode({created = true, revoked = true})
end
task_create(t)
-- the attempts before this message count as deliveries too (a delivery is an attempt or a lost one), so the claim's
-- count of lost deliveries (deliveries - retries - handbacks) starts at 0
if tonumber(t.retries) > 0 then redis.call('HSET', t.task, 'deliveries', t.retries) end
return cjson.encode({created = true})

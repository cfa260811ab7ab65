-- Record the outcome of one attempt and acknowledge its stream entry, atomically. Only the attempt that holds
-- the task's lease may settle it; a stale attempt (reclaimed meanwhile, or handed back by a stopping worker)
-- changes nothing. Settling spends the lease. A task revoked while it ran stays REVOKED.
-- Counts the outcome per queue in the stats hash; a FAILURE also goes to the bounded failed list.
-- KEYS[1] task hash, KEYS[2] stream, KEYS[3] delayed set, KEYS[4] failed list, KEYS[5] stats hash
-- A RETRY that would grow the delayed set past maxLength (the queue bound) ends FAILURE instead, saying so.
-- ARGV: group, entry, lease, outcome (SUCCESS | FAILURE | RETRY), now, payload JSON, resultTtlMs, retryAt, id,
--       historyLength, maxLength
local task = KEYS[1]
local h = redis.call('HMGET', task, 'lease', 'state', 'notify', 'name', 'queue')
if h[1] ~= ARGV[3] then return cjson.encode({stale = true}) end
redis.call('HINCRBY', task, 'lease', 1)
redis.call('XACK', KEYS[2], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[2], ARGV[2])
if h[2] == 'REVOKED' then return cjson.encode({state = 'REVOKED', changed = false}) end
local outcome, now, payload = ARGV[4], ARGV[5], ARGV[6]
local bounded = false
if outcome == 'RETRY' and redis.call('ZCARD', KEYS[3]) >= tonumber(ARGV[11]) then
  outcome, bounded = 'FAILURE', true
  local err = cjson.decode(payload)
  if type(err.message) ~= 'string' then err.message = '' end
  err.message = err.message .. ' (not retried: the delayed set is full, ' .. ARGV[11] .. ' tasks)'
  payload = cjson.encode(err)
end
if outcome == 'RETRY' then
  local seq = redis.call('HINCRBY', task, 'seq', 1)
  redis.call('HINCRBY', KEYS[5], 'retried:' .. (h[5] or 'default'), 1)
  redis.call('HSET', task, 'state', 'RETRY', 'error', payload, 't_RETRY', now)
  celery_failure(task, 'RETRY', payload, now)
  redis.call('HINCRBY', task, 'retries', 1)
  redis.call('ZADD', KEYS[3], ARGV[8], ARGV[9])
  return cjson.encode({state = outcome, seq = seq, changed = true})
end
local seq = finish({key = task, id = ARGV[9], name = h[4], queue = h[5], notify = h[3], state = outcome,
  field = outcome == 'SUCCESS' and 'result' or 'error', payload = payload, now = now, ttl = ARGV[7],
  failed = KEYS[4], history = ARGV[10], stats = KEYS[5]})
return cjson.encode({state = outcome, seq = seq, changed = true, bounded = bounded})

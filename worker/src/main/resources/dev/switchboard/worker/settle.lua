-- Record the outcome of one attempt and acknowledge its stream entry, atomically. Only the attempt that owns
-- the task (its delivery number is current) may settle it; a stale attempt (reclaimed meanwhile) changes
-- nothing. A task revoked while it ran stays REVOKED.
-- Counts the outcome per queue in the stats hash; a FAILURE also goes to the bounded failed list.
-- KEYS[1] task hash, KEYS[2] stream, KEYS[3] delayed set, KEYS[4] failed list, KEYS[5] stats hash
-- ARGV: group, entry, delivery, outcome (SUCCESS | FAILURE | RETRY), now, payload JSON, resultTtlMs, retryAt, id,
--       historyLength
local task = KEYS[1]
local h = redis.call('HMGET', task, 'deliveries', 'state', 'notify', 'name')
if h[1] ~= ARGV[3] then return cjson.encode({stale = true}) end
redis.call('XACK', KEYS[2], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[2], ARGV[2])
if h[2] == 'REVOKED' then return cjson.encode({state = 'REVOKED', changed = false}) end
local outcome, now = ARGV[4], ARGV[5]
local seq = redis.call('HINCRBY', task, 'seq', 1)
local queue = redis.call('HGET', task, 'queue') or 'default'
local counted = {SUCCESS = 'succeeded:', FAILURE = 'failed:', RETRY = 'retried:'}
redis.call('HINCRBY', KEYS[5], counted[outcome] .. queue, 1)
if outcome == 'SUCCESS' then
  redis.call('HSET', task, 'state', 'SUCCESS', 'result', ARGV[6], 't_SUCCESS', now)
  redis.call('PEXPIRE', task, ARGV[7])
elseif outcome == 'FAILURE' then
  redis.call('HSET', task, 'state', 'FAILURE', 'error', ARGV[6], 't_FAILURE', now)
  redis.call('PEXPIRE', task, ARGV[7])
  redis.call('LPUSH', KEYS[4], ARGV[9])
  redis.call('LTRIM', KEYS[4], 0, tonumber(ARGV[10]) - 1)
else
  redis.call('HSET', task, 'state', 'RETRY', 'error', ARGV[6], 't_RETRY', now)
  redis.call('HINCRBY', task, 'retries', 1)
  redis.call('ZADD', KEYS[3], ARGV[8], ARGV[9])
end
-- the final state goes to the client that queued the task (its get() waits on that channel)
if outcome ~= 'RETRY' and h[3] and h[3] ~= '' then
  local note = {id = ARGV[9], name = h[4], state = outcome, seq = seq}
  if outcome == 'SUCCESS' then note.result = ARGV[6] else note.error = ARGV[6] end
  redis.call('PUBLISH', h[3], cjson.encode(note))
end
return cjson.encode({state = outcome, seq = seq, changed = true})

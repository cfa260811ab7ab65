-- Revoke a task: durable (the hash says REVOKED, every worker checks it before running), cluster-wide.
-- A delayed task leaves the delayed set; a queued one is dropped by the worker that claims it; a running
-- one is told at its next progress report and its result is discarded.
-- KEYS[1] task hash, KEYS[2] delayed set; ARGV: id, now, ttlMs
-- Returns {"state": ..., "seq": n, "name": ...} or {"missing": true}
local task = KEYS[1]
local state = redis.call('HGET', task, 'state')
if not state then return cjson.encode({missing = true}) end
local h = redis.call('HMGET', task, 'name', 'notify')
local name, notify = h[1], h[2]
if state == 'SUCCESS' or state == 'FAILURE' or state == 'REVOKED' then
  return cjson.encode({state = state, name = name, changed = false})
end
local seq = redis.call('HINCRBY', task, 'seq', 1)
redis.call('HSET', task, 'state', 'REVOKED', 't_REVOKED', ARGV[2])
celery_meta(task, 'REVOKED', CELERY_REVOKED, nil, ARGV[2])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('PEXPIRE', task, ARGV[3])
if notify and notify ~= '' then
  redis.call('PUBLISH', notify, cjson.encode({id = ARGV[1], name = name, state = 'REVOKED', seq = seq}))
end
-- a revoked workflow member fails its workflow (workflow_steps.lua, prepended)
workflow_member_done(task, ARGV[1], name, 'REVOKED', nil, ARGV[2], ARGV[3])
return cjson.encode({state = 'REVOKED', name = name, seq = seq, changed = true})

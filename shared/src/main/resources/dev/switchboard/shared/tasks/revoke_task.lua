-- Revoke one task, a library shared by revoke.lua and workflow_revoke.lua (after workflow_steps.lua): durable (the hash
-- says REVOKED, every worker checks it before running), cluster-wide. A delayed task leaves the delayed set; a queued
-- one is dropped by the worker that claims it; a running one is told at its next progress report and its result is
-- discarded. A finished task keeps its state.
-- Returns {state, name, seq, changed} or nil when there is no such task.
local function revoke_task(task, id, delayed, now, ttl)
  local state = redis.call('HGET', task, 'state')
  if not state then return nil end
  local h = redis.call('HMGET', task, 'name', 'notify')
  local name, notify = h[1], h[2]
  if state == 'SUCCESS' or state == 'FAILURE' or state == 'REVOKED' then
    return {state = state, name = name, changed = false}
  end
  local seq = redis.call('HINCRBY', task, 'seq', 1)
  redis.call('HSET', task, 'state', 'REVOKED', 't_REVOKED', now)
  celery_meta(task, 'REVOKED', CELERY_REVOKED, nil, now)
  redis.call('ZREM', delayed, id)
  redis.call('PEXPIRE', task, ttl)
  if notify and notify ~= '' then
    redis.call('PUBLISH', notify, cjson.encode({id = id, name = name, state = 'REVOKED', seq = seq}))
  end
  -- a revoked workflow member fails its workflow
  workflow_member_done(task, id, name, 'REVOKED', nil, now, ttl)
  return {state = 'REVOKED', name = name, seq = seq, changed = true}
end

-- Shared by the worker's scripts (prepended to each one that ends a task): every final state a worker records
-- is written by finish(), so one place decides what a final state stores, counts and announces (a hook such as
-- Celery result metas goes here). Needs workflow_steps.lua before it.
-- t = {key, id, name, queue, notify, state ('SUCCESS' | 'FAILURE'), field ('result' | 'error'), payload, now,
--      ttl, failed (list key), history (its length), stats (hash key)}
-- Returns the new seq.
local function finish(t)
  local seq = redis.call('HINCRBY', t.key, 'seq', 1)
  redis.call('HSET', t.key, 'state', t.state, t.field, t.payload, 't_' .. t.state, t.now)
  if t.state == 'SUCCESS' then
    celery_meta(t.key, 'SUCCESS', t.payload, nil, t.now)
  else
    celery_failure(t.key, t.state, t.payload, t.now)
  end
  redis.call('PEXPIRE', t.key, t.ttl)
  local counted = {SUCCESS = 'succeeded:', FAILURE = 'failed:'}
  redis.call('HINCRBY', t.stats, counted[t.state] .. (t.queue or 'default'), 1)
  if t.state == 'FAILURE' then
    redis.call('LPUSH', t.failed, t.id)
    redis.call('LTRIM', t.failed, 0, tonumber(t.history) - 1)
  end
  -- the final state goes to the client that queued the task (its get() waits on that channel)
  if t.notify and t.notify ~= '' then
    local note = {id = t.id, name = t.name, state = t.state, seq = seq}
    note[t.field] = t.payload
    redis.call('PUBLISH', t.notify, cjson.encode(note))
  end
  -- a workflow member moves its workflow on (workflow_steps.lua, prepended before this file)
  workflow_member_done(t.key, t.id, t.name, t.state, t.payload, t.now, t.ttl)
  return seq
end


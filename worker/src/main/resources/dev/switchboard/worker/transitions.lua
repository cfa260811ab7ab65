-- Shared by the worker's scripts (prepended to each one that ends a task): every final state a worker records
-- is written by finish(), so one place decides what a final state stores, counts and announces (a hook such as
-- Celery result metas goes here). Needs workflow_steps.lua before it.
-- t = {key, id, name, queue, notify, state ('SUCCESS' | 'FAILURE'), field ('result' | 'error'), payload, now,
--      ttl, failed (list key), history (its length), stats (hash key)}
-- Optional, for a caller that read the hash already or settles many tasks at once: seq (the current seq: the
-- new one is written with the state, no HINCRBY), fields (more hash fields to write with the state), plain (true:
-- the hash has neither 'celery' nor 'workflow', so no Celery meta and no workflow step to look up), counts (a
-- table the stats increments go to, for the caller to write once; see count_flush), notes (a table of the final-state
-- notes per notify channel, for the caller to publish once per channel as a JSON array; see notes_flush).
-- Returns the new seq.
local function finish(t)
  local seq
  local write = {'state', t.state, t.field, t.payload, 't_' .. t.state, t.now}
  if t.seq then
    seq = (tonumber(t.seq) or 0) + 1
    table.insert(write, 'seq')
    table.insert(write, seq)
  else
    seq = redis.call('HINCRBY', t.key, 'seq', 1)
  end
  for _, value in ipairs(t.fields or {}) do table.insert(write, value) end
  redis.call('HSET', t.key, unpack(write))
  if not t.plain then
    if t.state == 'SUCCESS' then
      celery_meta(t.key, 'SUCCESS', t.payload, nil, t.now)
    else
      celery_failure(t.key, t.state, t.payload, t.now)
    end
  end
  redis.call('PEXPIRE', t.key, t.ttl)
  local counted = {SUCCESS = 'succeeded:', FAILURE = 'failed:'}
  local stat = counted[t.state] .. (t.queue or 'default')
  if t.counts then
    t.counts[stat] = (t.counts[stat] or 0) + 1
  else
    redis.call('HINCRBY', t.stats, stat, 1)
  end
  if t.state == 'FAILURE' then
    redis.call('LPUSH', t.failed, t.id)
    redis.call('LTRIM', t.failed, 0, tonumber(t.history) - 1)
  end
  -- the final state goes to the client that queued the task (its get() waits on that channel)
  if t.notify and t.notify ~= '' then
    local note = {id = t.id, name = t.name, state = t.state, seq = seq}
    note[t.field] = t.payload
    if t.notes then
      t.notes[t.notify] = t.notes[t.notify] or {}
      table.insert(t.notes[t.notify], cjson.encode(note))
    else
      redis.call('PUBLISH', t.notify, cjson.encode(note))
    end
  end
  -- a workflow member moves its workflow on (workflow_steps.lua, prepended before this file)
  if not t.plain then
    workflow_member_done(t.key, t.id, t.name, t.state, t.payload, t.now, t.ttl)
  end
  return seq
end

-- Writes the stats increments a batch gathered in `counts` (finish's t.counts), one HINCRBY per field.
local function count_flush(stats, counts)
  for field, n in pairs(counts) do redis.call('HINCRBY', stats, field, n) end
end

-- Publishes the notes a batch gathered (finish's t.notes): one message per channel, a JSON array of the notes.
local function notes_flush(notes)
  for channel, list in pairs(notes) do redis.call('PUBLISH', channel, '[' .. table.concat(list, ',') .. ']') end
end

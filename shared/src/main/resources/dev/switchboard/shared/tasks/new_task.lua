-- The layout of a new task, written once for every way a task comes in: enqueue.lua and enqueue_batch.lua
-- (Switchboard clients) and interop's ingest.lua (Celery messages) prepend it (LuaScript.NEW_TASK).
-- t = {task, stream, delayed, recent, queues, stats (keys); id, name, args, kwargs, options, queue, priority, notify,
--      retries, now, eta, maxLength, history, maxQueues (nil: not checked), fields (extra hash fields, or nil),
--      expires (the expiry in epoch ms, 0 for none, or nil: then the claim reads it from the options JSON)}
-- b (optional, from task_batch()): a script that queues many tasks reads and writes each shared key once per batch
-- (queue membership, stream and delayed-set lengths, recent list, counters) instead of once per task; it calls
-- task_batch_end(b) last. The bounds are the same: lengths are counted as the batch grows them.

local function task_batch()
  return {member = {}, len = {}, recent = {}, enqueued = {}}
end

-- Why the task cannot be queued now: 'queues' (one queue too many), 'full' (its stream or the delayed set is at
-- maxLength), or nil.
local function task_refusal(t, b)
  if t.maxQueues then
    local member = b and b.member[t.queue]
    if member == nil then member = redis.call('SISMEMBER', t.queues, t.queue) == 1 end
    if b then b.member[t.queue] = member end
    if not member and redis.call('SCARD', t.queues) >= tonumber(t.maxQueues) then
      return 'queues'
    end
  end
  local key, command = t.stream, 'XLEN'
  if tonumber(t.eta) > tonumber(t.now) then key, command = t.delayed, 'ZCARD' end
  local length = b and b.len[key]
  if length == nil then length = redis.call(command, key) end
  if b then b.len[key] = length end
  if length >= tonumber(t.maxLength) then return 'full' end
  return nil
end

-- Writes the PENDING task: its hash, its stream entry (or delayed-set member when its eta is later), the bounded
-- recent list, the queue set and the queue's enqueued counter.
local function task_create(t, b)
  local fields = {'id', t.id, 'name', t.name, 'args', t.args, 'kwargs', t.kwargs, 'options', t.options,
    'queue', t.queue, 'priority', t.priority, 'stream', t.stream, 'state', 'PENDING', 't_PENDING', t.now, 'seq', 1,
    'retries', tonumber(t.retries) or 0, 'deliveries', 0, 'notify', t.notify or ''}
  -- the expiry apart from the options as well, so that a claim needs not decode them
  if t.expires then
    table.insert(fields, 'expires')
    table.insert(fields, t.expires)
  end
  redis.call('HSET', t.task, unpack(fields))
  if t.fields then redis.call('HSET', t.task, unpack(t.fields)) end
  local delayed = tonumber(t.eta) > tonumber(t.now)
  if delayed then
    redis.call('ZADD', t.delayed, t.eta, t.id)
  else
    redis.call('XADD', t.stream, '*', 'id', t.id)
  end
  if not b then
    redis.call('LPUSH', t.recent, t.id)
    redis.call('LTRIM', t.recent, 0, tonumber(t.history) - 1)
    redis.call('SADD', t.queues, t.queue)
    redis.call('HINCRBY', t.stats, 'enqueued:' .. t.queue, 1)
    return
  end
  local key = delayed and t.delayed or t.stream
  if b.len[key] then b.len[key] = b.len[key] + 1 end
  if not b.member[t.queue] then
    redis.call('SADD', t.queues, t.queue)
    b.member[t.queue] = true
  end
  table.insert(b.recent, t.id)
  b.enqueued[t.queue] = (b.enqueued[t.queue] or 0) + 1
  b.t = t
end

-- The batch's shared writes, once: the recent list (newest first, as one LPUSH per task would leave it) and counters.
local function task_batch_end(b)
  local t = b.t
  if not t then return end
  for i = 1, #b.recent, 1000 do
    redis.call('LPUSH', t.recent, unpack(b.recent, i, math.min(i + 999, #b.recent)))
  end
  redis.call('LTRIM', t.recent, 0, tonumber(t.history) - 1)
  for queue, n in pairs(b.enqueued) do
    redis.call('HINCRBY', t.stats, 'enqueued:' .. queue, n)
  end
end

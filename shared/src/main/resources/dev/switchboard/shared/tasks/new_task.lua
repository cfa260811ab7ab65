-- The layout of a new task, written once for every way a task comes in: enqueue.lua (Switchboard clients) and
-- interop's ingest.lua (Celery messages) prepend it (LuaScript.NEW_TASK).
-- t = {task, stream, delayed, recent, queues, stats (keys); id, name, args, kwargs, options, queue, priority, notify,
--      retries, now, eta, maxLength, history, maxQueues (nil: not checked), fields (extra hash fields, or nil)}

-- Why the task cannot be queued now: 'queues' (one queue too many), 'full' (its stream or the delayed set is at
-- maxLength), or nil.
local function task_refusal(t)
  if t.maxQueues and redis.call('SISMEMBER', t.queues, t.queue) == 0
      and redis.call('SCARD', t.queues) >= tonumber(t.maxQueues) then
    return 'queues'
  end
  if tonumber(t.eta) > tonumber(t.now) then
    if redis.call('ZCARD', t.delayed) >= tonumber(t.maxLength) then return 'full' end
  elseif redis.call('XLEN', t.stream) >= tonumber(t.maxLength) then
    return 'full'
  end
  return nil
end

-- Writes the PENDING task: its hash, its stream entry (or delayed-set member when its eta is later), the bounded
-- recent list, the queue set and the queue's enqueued counter.
local function task_create(t)
  redis.call('HSET', t.task, 'id', t.id, 'name', t.name, 'args', t.args, 'kwargs', t.kwargs, 'options', t.options,
    'queue', t.queue, 'priority', t.priority, 'stream', t.stream, 'state', 'PENDING', 't_PENDING', t.now, 'seq', 1,
    'retries', tonumber(t.retries) or 0, 'deliveries', 0, 'notify', t.notify or '')
  if t.fields then redis.call('HSET', t.task, unpack(t.fields)) end
  if tonumber(t.eta) > tonumber(t.now) then
    redis.call('ZADD', t.delayed, t.eta, t.id)
  else
    redis.call('XADD', t.stream, '*', 'id', t.id)
  end
  redis.call('LPUSH', t.recent, t.id)
  redis.call('LTRIM', t.recent, 0, tonumber(t.history) - 1)
  redis.call('SADD', t.queues, t.queue)
  redis.call('HINCRBY', t.stats, 'enqueued:' .. t.queue, 1)
end

-- Enqueue one task, idempotently: an id that exists is left alone (layout: new_task.lua). The guarded enqueue of
-- the periodic-task scheduler (EnqueueGuard) runs this one; clients coalesce theirs with enqueue_batch.lua.
-- KEYS[1] task hash, KEYS[2] its stream, KEYS[3] delayed set, KEYS[4] recent list, KEYS[5] queue set, KEYS[6] stats
-- ARGV: id, name, args, kwargs, options, now, eta, maxLength, queue, priority, notify channel ('' for none),
--       historyLength, maxQueues (bound of the queue set, and so of the per-queue stats)
-- Returns {"created": bool, "state": ..., "seq": n} or {"full": true} or {"queues": true} (too many queues)
local existing = redis.call('HGET', KEYS[1], 'state')
if existing then
  return cjson.encode({created = false, state = existing})
end
local t = {task = KEYS[1], stream = KEYS[2], delayed = KEYS[3], recent = KEYS[4], queues = KEYS[5], stats = KEYS[6],
  id = ARGV[1], name = ARGV[2], args = ARGV[3], kwargs = ARGV[4], options = ARGV[5], now = ARGV[6], eta = ARGV[7],
  maxLength = ARGV[8], queue = ARGV[9], priority = ARGV[10], notify = ARGV[11], history = ARGV[12],
  maxQueues = ARGV[13]}
local refusal = task_refusal(t)
if refusal then return cjson.encode({[refusal] = true}) end
task_create(t)
return cjson.encode({created = true, state = 'PENDING', seq = 1})

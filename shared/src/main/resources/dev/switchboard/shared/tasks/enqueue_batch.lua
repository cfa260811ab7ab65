-- Enqueue many tasks in one step, each idempotently (an id that exists is left alone) and each against the same
-- bounds as enqueue.lua (layout: new_task.lua): one task refused changes nothing for the others.
-- KEYS[1] delayed set, KEYS[2] recent list, KEYS[3] queue set, KEYS[4] stats; then per task: its hash, its stream
-- ARGV: maxLength, historyLength, maxQueues, notify channel ('' for none); then per task (10 each): id, name,
--       args, kwargs, options, now, eta, queue, priority, expires (epoch ms, 0: none; the same as in the options)
-- Returns one reply per task, in order: 'created', 'full', 'queues' (too many queues), or the state of the task
-- that existed already (as 'existing:' .. state)
local FIRST, PER_TASK = 5, 10
local b = task_batch()
local replies = {}
for i = 0, (#ARGV - FIRST + 1) / PER_TASK - 1 do
  local a = FIRST + i * PER_TASK
  local task = KEYS[5 + 2 * i]
  local existing = redis.call('HGET', task, 'state')
  if existing then
    replies[i + 1] = 'existing:' .. existing
  else
    local t = {task = task, stream = KEYS[6 + 2 * i], delayed = KEYS[1], recent = KEYS[2], queues = KEYS[3],
      stats = KEYS[4], id = ARGV[a], name = ARGV[a + 1], args = ARGV[a + 2], kwargs = ARGV[a + 3],
      options = ARGV[a + 4], now = ARGV[a + 5], eta = ARGV[a + 6], queue = ARGV[a + 7], priority = ARGV[a + 8],
      expires = ARGV[a + 9],
      maxLength = ARGV[1], history = ARGV[2], maxQueues = ARGV[3], notify = ARGV[4]}
    local refusal = task_refusal(t, b)
    if refusal then
      replies[i + 1] = refusal
    else
      task_create(t, b)
      replies[i + 1] = 'created'
    end
  end
end
task_batch_end(b)
return replies

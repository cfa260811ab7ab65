-- Record the outcomes of several attempts and acknowledge their stream entries, then claim new tasks for the slots
-- they free, in one atomic step (BullMQ's moveToFinished shape: a busy worker needs no claim call of its own).
-- Each settle is fenced by its own lease: only the attempt that holds the task's lease may settle it; a stale
-- attempt (reclaimed meanwhile, or handed back by a stopping worker) changes nothing. Settling spends the lease.
-- A task revoked while it ran stays REVOKED. Counts the outcome per queue in the stats hash; a FAILURE also goes to
-- the bounded failed list. A RETRY that would grow the delayed set past maxLength (the queue bound) ends FAILURE
-- instead, saying so. The final states go to each client's notify channel as one message per channel (a JSON array).
-- The claim (claiming.lua, `count` 0: none) runs after every settle and acknowledgement.
-- KEYS[1] delayed set, KEYS[2] failed list, KEYS[3] stats hash, KEYS[4] paused set, KEYS[5 .. 4 + S] the claim's
-- streams in priority order; then per settle: task hash, stream
-- ARGV[1] S, ARGV[2] maxLength, ARGV[3 .. 16] the claim's arguments (claim.lua's ARGV: group, consumer, count, now,
--       taskPrefix, reclaimMinIdleMs, ratePrefix, limits, resultTtlMs, known, deferMs, defaultMaxDeliveries,
--       historyLength, streamPrefix); then per settle (6 each): id, entry, lease, outcome (SUCCESS | FAILURE | RETRY),
--       payload JSON, retryAt
-- Returns {settled, tasks, events, deferred, last}: settled holds one reply per settle, in order, {state, seq,
-- changed (0 | 1), bounded (0 | 1)} with state '' for a stale attempt; the rest is claim.lua's reply.
local S, maxLength = tonumber(ARGV[1]), tonumber(ARGV[2])
local claim = claim_request(3, 5, 4 + S)
local group, now, ttl, history = claim.group, ARGV[6], claim.ttl, claim.history
local FIRST_KEY, FIRST_ARG, PER_SETTLE = 5 + S, 17, 6
local delayed, failed, stats = KEYS[1], KEYS[2], KEYS[3]
local settled, acks, counts, notes = {}, {}, {}, {}

local function settle(task, stream, id, entry, lease, outcome, payload, retryAt)
  local h = redis.call('HMGET', task, 'lease', 'state', 'notify', 'name', 'queue', 'seq', 'retries', 'celery',
    'workflow')
  if h[1] ~= lease then return {'', 0, 0, 0} end
  acks[stream] = acks[stream] or {}
  table.insert(acks[stream], entry)
  local spent = {'lease', tonumber(h[1]) + 1}
  if h[2] == 'REVOKED' then
    redis.call('HSET', task, unpack(spent))
    return {'REVOKED', 0, 0, 0}
  end
  local bounded = 0
  if outcome == 'RETRY' and redis.call('ZCARD', delayed) >= maxLength then
    outcome, bounded = 'FAILURE', 1
    local err = cjson.decode(payload)
    if type(err.message) ~= 'string' then err.message = '' end
    err.message = err.message .. ' (not retried: the delayed set is full, ' .. maxLength .. ' tasks)'
    payload = cjson.encode(err)
  end
  if outcome == 'RETRY' then
    local seq = (tonumber(h[6]) or 0) + 1
    local retried = 'retried:' .. (h[5] or 'default')
    counts[retried] = (counts[retried] or 0) + 1
    redis.call('HSET', task, 'state', 'RETRY', 'error', payload, 't_RETRY', now, 'seq', seq,
      'retries', (tonumber(h[7]) or 0) + 1, unpack(spent))
    if h[8] then celery_failure(task, 'RETRY', payload, now) end
    redis.call('ZADD', delayed, retryAt, id)
    return {outcome, seq, 1, 0}
  end
  local seq = finish({key = task, id = id, name = h[4], queue = h[5], notify = h[3], state = outcome,
    field = outcome == 'SUCCESS' and 'result' or 'error', payload = payload, now = now, ttl = ttl,
    failed = failed, history = history, stats = stats, seq = h[6], fields = spent, plain = not h[8] and not h[9],
    counts = counts, notes = notes})
  return {outcome, seq, 1, bounded}
end

for i = 0, (#ARGV - FIRST_ARG + 1) / PER_SETTLE - 1 do
  local a = FIRST_ARG + i * PER_SETTLE
  settled[i + 1] = settle(KEYS[FIRST_KEY + 2 * i], KEYS[FIRST_KEY + 2 * i + 1], ARGV[a], ARGV[a + 1], ARGV[a + 2],
    ARGV[a + 3], ARGV[a + 4], ARGV[a + 5])
end
-- acknowledged before the claim, so that a reclaim cannot take an entry just settled
for stream, entries in pairs(acks) do
  redis.call('XACK', stream, group, unpack(entries))
  redis.call('XDEL', stream, unpack(entries))
end
count_flush(stats, counts)
-- one message per client for the whole batch (a JSON array of notes), not one per task
notes_flush(notes)
local tasks, events, deferred, last = claim_tasks(claim)
return {settled, tasks, events, deferred, last}

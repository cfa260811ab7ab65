-- Claim up to `count` tasks for one worker (claiming.lua says how). An idle worker's claim; a busy worker claims
-- with its settles instead (settle.lua).
-- KEYS[1] delayed set, KEYS[2] failed list, KEYS[3] stats hash, KEYS[4] paused set, KEYS[5..] streams in
-- priority order
-- ARGV: group, consumer, count, now, taskPrefix, reclaimMinIdleMs (0: no reclaim), ratePrefix,
--       limits JSON {name: [count, windowMs]}, resultTtlMs, known JSON {name: true}, deferMs,
--       defaultMaxDeliveries, historyLength, streamPrefix (a stream is streamPrefix .. queue .. ':' .. priority)
-- Returns an array: tasks [[id, name, args JSON, options JSON, retries, delivery, lease, seq, stream, entry]...],
-- the events of tasks the claim ended (JSON [{id, name, state, seq, error?}], '' for none), deferred [name...],
-- last [stream, newest id, ...] (when short of count)
local tasks, events, deferred, last = claim_tasks(claim_request(1, 5, #KEYS))
return {tasks, events, deferred, last}

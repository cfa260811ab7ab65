-- A stopping worker hands an unfinished task back: acknowledged here, queued again at once as PENDING. The
-- lease moves on, so the cancelled attempt (which may still finish) can no longer settle or report; the
-- hand-back is counted so that it never counts as a lost delivery (see max_deliveries in claim.lua).
-- KEYS[1] task hash, KEYS[2] stream; ARGV: group, entry, lease, now, id
local h = redis.call('HMGET', KEYS[1], 'lease', 'state')
if h[1] ~= ARGV[3] then return cjson.encode({stale = true}) end
redis.call('XACK', KEYS[2], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[2], ARGV[2])
if h[2] == 'SUCCESS' or h[2] == 'FAILURE' or h[2] == 'REVOKED' then return cjson.encode({state = h[2]}) end
redis.call('HINCRBY', KEYS[1], 'lease', 1)
redis.call('HINCRBY', KEYS[1], 'handbacks', 1)
local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
redis.call('HSET', KEYS[1], 'state', 'PENDING', 't_PENDING', ARGV[4])
celery_pending(KEYS[1])
redis.call('XADD', KEYS[2], '*', 'id', ARGV[5])
return cjson.encode({state = 'PENDING', seq = seq, changed = true})

-- A stopping worker hands an unfinished task back: acknowledged here, queued again at once as PENDING.
-- KEYS[1] task hash, KEYS[2] stream; ARGV: group, entry, delivery, now, id
local h = redis.call('HMGET', KEYS[1], 'deliveries', 'state')
if h[1] ~= ARGV[3] then return cjson.encode({stale = true}) end
redis.call('XACK', KEYS[2], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[2], ARGV[2])
if h[2] == 'SUCCESS' or h[2] == 'FAILURE' or h[2] == 'REVOKED' then return cjson.encode({state = h[2]}) end
local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
redis.call('HSET', KEYS[1], 'state', 'PENDING', 't_PENDING', ARGV[4])
redis.call('XADD', KEYS[2], '*', 'id', ARGV[5])
return cjson.encode({state = 'PENDING', seq = seq, changed = true})

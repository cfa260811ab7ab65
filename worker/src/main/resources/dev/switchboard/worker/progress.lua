-- Record a running task's progress, or a state of its own ('custom_state', with its meta as the progress).
-- Refused for a stale attempt (its lease moved on) or a task no longer running (revoked).
-- KEYS[1] task hash; ARGV: lease, now, progress JSON, custom state ('' for plain progress)
local h = redis.call('HMGET', KEYS[1], 'lease', 'state')
if h[1] ~= ARGV[1] then return cjson.encode({stopped = true, state = 'STALE'}) end
if h[2] ~= 'STARTED' and h[2] ~= 'PROGRESS' then return cjson.encode({stopped = true, state = h[2]}) end
local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
redis.call('HSET', KEYS[1], 'state', 'PROGRESS', 'progress', ARGV[3], 't_PROGRESS', ARGV[2], 'custom_state', ARGV[4])
-- a custom state is the Celery status too (Python reads it as AsyncResult.state, its meta as .info)
celery_meta(KEYS[1], ARGV[4] ~= '' and ARGV[4] or 'PROGRESS', ARGV[3], nil, ARGV[2])
return cjson.encode({seq = seq})

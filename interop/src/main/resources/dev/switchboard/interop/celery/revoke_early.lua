-- A revoke from Python for an id: when its Celery task is here, say so (the caller revokes it the usual way);
-- otherwise remember the id, atomically with respect to ingest.lua, which then creates the task REVOKED.
-- KEYS[1] task hash, KEYS[2] revoked-before-arrival set; ARGV: id, now, keepMs, maxKept
-- Returns 1 when the task exists, 0 when the id was remembered
if redis.call('HEXISTS', KEYS[1], 'celery') == 1 then return 1 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], 0, tonumber(ARGV[2]) - tonumber(ARGV[3]))
redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -tonumber(ARGV[4]) - 1)
return 0

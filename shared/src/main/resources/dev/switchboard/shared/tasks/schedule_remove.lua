-- Removes a schedule and its run record in one step (the fence then refuses its pending occurrences).
-- KEYS[1] schedules hash, KEYS[2] schedule-runs hash; ARGV[1] name. Returns 1 when it existed.
local removed = redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
return removed

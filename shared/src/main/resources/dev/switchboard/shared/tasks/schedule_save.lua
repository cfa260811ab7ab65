-- Adds or replaces a schedule, within the bound of the schedules hash; a new one gets a run record holding its
-- creation time (its first occurrence is the first after it), a replaced one keeps its record (no occurrence twice).
-- KEYS[1] schedules hash, KEYS[2] schedule-runs hash; ARGV[1] name, ARGV[2] definition JSON, ARGV[3] max schedules,
-- ARGV[4] initial run record JSON
local exists = redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1
if not exists and redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then
  return cjson.encode({full = true})
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[4])
return cjson.encode({created = not exists})

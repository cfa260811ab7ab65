-- The periodic-task scheduler's fence, run before the script it guards (its keys and arguments come last):
-- nothing happens unless the caller's token is still the current lease (a deposed leader cannot write, however late
-- its call lands), the schedule still exists (its run record does), and the occurrence is newer than the last one
-- recorded; then the occurrence is recorded as the schedule's last, in the same atomic step as what follows.
-- KEYS[#KEYS-1] scheduler lease, KEYS[#KEYS] schedule-runs hash
-- ARGV[#ARGV-3] token, ARGV[#ARGV-2] schedule name, ARGV[#ARGV-1] occurrence (epoch ms), ARGV[#ARGV] run record JSON
local fence_lease, fence_runs = KEYS[#KEYS - 1], KEYS[#KEYS]
local fence_schedule, fence_occurrence = ARGV[#ARGV - 2], tonumber(ARGV[#ARGV - 1])
if redis.call('GET', fence_lease) ~= ARGV[#ARGV - 3] then
  return cjson.encode({refused = 'fenced'})
end
local fence_last = redis.call('HGET', fence_runs, fence_schedule)
if not fence_last then
  return cjson.encode({refused = 'removed'})
end
if tonumber(cjson.decode(fence_last).at) >= fence_occurrence then
  return cjson.encode({refused = 'done'})
end
redis.call('HSET', fence_runs, fence_schedule, ARGV[#ARGV])

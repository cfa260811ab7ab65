-- Takes the scheduler lease when nobody holds it, with a new fencing token: a number that only grows (the fence
-- counter never expires), followed by the holder's name. Only the holder of the current token may enqueue
-- (schedule_fence.lua), so a leader that was paused past its lease and wakes up late cannot.
-- KEYS[1] lease, KEYS[2] fence counter; ARGV[1] lease ms, ARGV[2] holder. Returns the lease value, or false.
if redis.call('EXISTS', KEYS[1]) == 1 then
  return false
end
local value = redis.call('INCR', KEYS[2]) .. ' ' .. ARGV[2]
redis.call('SET', KEYS[1], value, 'NX', 'PX', ARGV[1])
return value

-- Extends the scheduler lease if the caller still holds it (ARGV[2] 0: gives it up instead).
-- KEYS[1] lease; ARGV[1] the caller's lease value, ARGV[2] lease ms. Returns 1 when the caller holds it (or held it).
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 0
end
if ARGV[2] == '0' then
  redis.call('DEL', KEYS[1])
else
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 1

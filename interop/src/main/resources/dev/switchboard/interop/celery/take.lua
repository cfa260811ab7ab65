-- Take the next Celery envelope of one queue, highest Celery priority first, onto the ingesting list, atomically:
-- from then on it is never only in a worker's memory. Celery LPUSHes and its workers pop the right end.
-- KEYS[1..n-1] the Celery lists in priority order (queue, queue\x06\x163, \x166, \x169), KEYS[n] ingesting list
-- Returns the envelope, or false when every list is empty.
local ingesting = KEYS[#KEYS]
for i = 1, #KEYS - 1 do
  local envelope = redis.call('LMOVE', KEYS[i], ingesting, 'RIGHT', 'LEFT')
  if envelope then return envelope end
end
return false

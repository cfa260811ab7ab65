-- Purge a queue: its waiting tasks (stream entries no worker has claimed yet) leave the streams and end REVOKED
-- (error Purged), so whoever waits on one learns it instead of waiting forever. Running tasks (claimed, pending in
-- the group) and delayed ones (countdown, ETA, retry backoff) are untouched. At most `limit` per call: the caller
-- calls again while `more` is true, so Redis is never held for long.
-- KEYS[1] stats hash, KEYS[2..] the queue's streams
-- ARGV: group, taskPrefix, now, resultTtlMs, limit, queue, error JSON
-- Returns {"purged": n, "more": bool, "events": [{id, name, seq}]}
local group, prefix, now, ttl = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local left, queue, error = tonumber(ARGV[5]), ARGV[6], ARGV[7]
local purged, more, events = 0, false, {}

local function lastDelivered(stream)
  local ok, groups = pcall(redis.call, 'XINFO', 'GROUPS', stream)
  if not ok then return '0-0' end
  for _, info in ipairs(groups) do
    local fields = {}
    for i = 1, #info, 2 do fields[info[i]] = info[i + 1] end
    if fields['name'] == group then return fields['last-delivered-id'] end
  end
  return '0-0'
end

for i = 2, #KEYS do
  local stream = KEYS[i]
  if redis.call('XLEN', stream) > 0 then
    local entries = redis.call('XRANGE', stream, '(' .. lastDelivered(stream), '+', 'COUNT', left + 1)
    for n, entry in ipairs(entries) do
      if left <= 0 then more = true break end
      redis.call('XDEL', stream, entry[1])
      purged, left = purged + 1, left - 1
      local id = entry[2][2]
      local task = prefix .. id
      local h = redis.call('HMGET', task, 'state', 'name', 'notify')
      if h[1] and h[1] ~= 'SUCCESS' and h[1] ~= 'FAILURE' and h[1] ~= 'REVOKED' then
        local seq = redis.call('HINCRBY', task, 'seq', 1)
        redis.call('HSET', task, 'state', 'REVOKED', 't_REVOKED', now, 'error', error)
        redis.call('PEXPIRE', task, ttl)
        celery_meta(task, 'REVOKED', CELERY_REVOKED, nil, now)
        table.insert(events, {id = id, name = h[2], seq = seq})
        if h[3] and h[3] ~= '' then
          redis.call('PUBLISH', h[3], cjson.encode({id = id, name = h[2], state = 'REVOKED', seq = seq, error = error}))
        end
      end
    end
  end
end
if purged > 0 then redis.call('HINCRBY', KEYS[1], 'purged:' .. queue, purged) end
return cjson.encode({purged = purged, more = more, events = events})

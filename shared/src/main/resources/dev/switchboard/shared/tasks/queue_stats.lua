-- Depth of every known queue in one atomic read, bounded: the first ARGV[2] queue names (sorted), 10 priorities each.
-- Known: tasks were sent to it (queue set), it is paused, or a live worker consumes it (heartbeat within liveMs).
-- A stream holds waiting entries and claimed-but-unacknowledged ones (pending); entries leave when acknowledged.
-- KEYS[1] queue set, KEYS[2] delayed set, KEYS[3] stats hash, KEYS[4] paused set, KEYS[5] consumed zset
-- ARGV: stream prefix ("...queue:"), maxQueues, group, liveMs
-- Returns {"queues": [{queue, paused, consumed, depth, running, oldestAgeMs, enqueued, succeeded, failed, retried,
--   purged, expired}], "delayed": n}
local prefix, group = ARGV[1], ARGV[3]
local now = redis.call('TIME')
local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
-- each source is bounded: the queue and paused sets by maxQueues (enqueue.lua, pause.lua), consumed by live workers
local names, seen, consumed = {}, {}, {}
local function add(name)
  if not seen[name] then
    seen[name] = true
    table.insert(names, name)
  end
end
for _, name in ipairs(redis.call('SMEMBERS', KEYS[1])) do add(name) end
for _, name in ipairs(redis.call('SMEMBERS', KEYS[4])) do add(name) end
for _, name in ipairs(redis.call('ZRANGEBYSCORE', KEYS[5], nowMs - tonumber(ARGV[4]), '+inf')) do
  consumed[name] = true
  add(name)
end
table.sort(names)
while #names > tonumber(ARGV[2]) do table.remove(names) end
local queues = {}

local function field(list, name)
  for i = 1, #list, 2 do
    if list[i] == name then return list[i + 1] end
  end
  return nil
end

for _, queue in ipairs(names) do
  local depth, running, oldest = 0, 0, nil
  for priority = 0, 9 do
    local stream = prefix .. queue .. ':' .. priority
    local length = redis.call('XLEN', stream)
    if length > 0 then
      local pending, lastId = 0, '0-0'
      for _, info in ipairs(redis.call('XINFO', 'GROUPS', stream)) do
        if field(info, 'name') == group then
          pending = tonumber(field(info, 'pending'))
          lastId = field(info, 'last-delivered-id')
        end
      end
      depth = depth + length - pending
      running = running + pending
      local first = redis.call('XRANGE', stream, '(' .. lastId, '+', 'COUNT', 1)
      if first[1] then
        local at = tonumber(string.match(first[1][1], '^(%d+)'))
        if not oldest or at < oldest then oldest = at end
      end
    end
  end
  local counts = redis.call('HMGET', KEYS[3], 'enqueued:' .. queue, 'succeeded:' .. queue, 'failed:' .. queue,
    'retried:' .. queue, 'purged:' .. queue, 'expired:' .. queue)
  table.insert(queues, {queue = queue, paused = redis.call('SISMEMBER', KEYS[4], queue) == 1,
    consumed = consumed[queue] == true, depth = depth, running = running,
    oldestAgeMs = oldest and math.max(0, nowMs - oldest) or 0,
    enqueued = tonumber(counts[1] or 0), succeeded = tonumber(counts[2] or 0),
    failed = tonumber(counts[3] or 0), retried = tonumber(counts[4] or 0),
    purged = tonumber(counts[5] or 0), expired = tonumber(counts[6] or 0)})
end
return cjson.encode({queues = queues, delayed = redis.call('ZCARD', KEYS[2])})

-- Depth of every known queue in one atomic read, bounded: the first ARGV[2] queue names (sorted), 10 priorities each.
-- A stream holds waiting entries and claimed-but-unacknowledged ones (pending); entries leave when acknowledged.
-- KEYS[1] queue set, KEYS[2] delayed set, KEYS[3] stats hash; ARGV: stream prefix ("...queue:"), maxQueues, group
-- Returns {"queues": [{queue, depth, running, oldestAgeMs, enqueued, succeeded, failed, retried}], "delayed": n}
local prefix, group = ARGV[1], ARGV[3]
local now = redis.call('TIME')
local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local names = redis.call('SORT', KEYS[1], 'ALPHA', 'LIMIT', 0, tonumber(ARGV[2]))
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
    'retried:' .. queue)
  table.insert(queues, {queue = queue, depth = depth, running = running,
    oldestAgeMs = oldest and math.max(0, nowMs - oldest) or 0,
    enqueued = tonumber(counts[1] or 0), succeeded = tonumber(counts[2] or 0),
    failed = tonumber(counts[3] or 0), retried = tonumber(counts[4] or 0)})
end
return cjson.encode({queues = queues, delayed = redis.call('ZCARD', KEYS[2])})

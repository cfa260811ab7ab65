-- The live workers, newest heartbeat first, at most `limit`: each one's hash (see the worker's announce.lua).
-- KEYS[1] workers zset; ARGV: workerPrefix, limit, now, liveMs
local names = redis.call('ZREVRANGEBYSCORE', KEYS[1], '+inf', tonumber(ARGV[3]) - tonumber(ARGV[4]), 'LIMIT', 0, ARGV[2])
local workers = {}
for _, name in ipairs(names) do
  local h = redis.call('HGETALL', ARGV[1] .. name)
  if #h > 0 then
    local worker = {}
    for i = 1, #h, 2 do worker[h[i]] = h[i + 1] end
    table.insert(workers, worker)
  end
end
return cjson.encode(workers)

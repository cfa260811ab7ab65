-- Remove the consumer-group consumers of workers that are gone (not in the workers set, idle past minIdleMs) and
-- hold no pending entries: without this, every worker that ever ran stays a consumer of every stream forever.
-- Entries a dead worker still holds are left for XAUTOCLAIM (the claim script) to move first.
-- KEYS[1] workers zset, KEYS[2..] streams; ARGV: group, minIdleMs
-- Returns the number of consumers removed.
local removed = 0
for i = 2, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then
    local ok, consumers = pcall(redis.call, 'XINFO', 'CONSUMERS', KEYS[i], ARGV[1])
    if ok then
      for _, consumer in ipairs(consumers) do
        local info = {}
        for j = 1, #consumer, 2 do info[consumer[j]] = consumer[j + 1] end
        if tonumber(info['pending']) == 0 and tonumber(info['idle']) > tonumber(ARGV[2])
            and not redis.call('ZSCORE', KEYS[1], info['name']) then
          redis.call('XGROUP', 'DELCONSUMER', KEYS[i], ARGV[1], info['name'])
          removed = removed + 1
        end
      end
    end
  end
end
return removed

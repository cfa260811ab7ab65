-- Heartbeat: reset the idle time of this worker's in-flight entries so XAUTOCLAIM leaves them alone while the
-- worker lives. Only entries whose attempt still holds the lease are touched (never steal a reclaimed entry back).
-- ARGV: group, consumer, JSON [[taskKey, stream, entry, lease], ...]
local touched = 0
for _, item in ipairs(cjson.decode(ARGV[3])) do
  if redis.call('HGET', item[1], 'lease') == tostring(item[4]) then
    redis.call('XCLAIM', item[2], ARGV[1], ARGV[2], 0, item[3], 'JUSTID')
    touched = touched + 1
  end
end
return touched

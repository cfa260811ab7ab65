-- Revoke a workflow (after workflow_steps.lua and revoke_task.lua): it ends REVOKED first, so that its members' own
-- revocations change nothing more; then every member not finished yet is revoked; nothing further is ever queued.
-- KEYS[1] workflow hash, KEYS[2] delayed set; ARGV: task key prefix (switchboard:[ns:]tasks:task:), now, resultTtlMs
-- Returns {"missing": true} or {"state", "changed", "events": [{id, name, seq}] (the members revoked now)}
local key = KEYS[1]
local h = redis.call('HMGET', key, 'state', 'nodes')
if not h[1] then return cjson.encode({missing = true}) end
if h[1] ~= 'PENDING' and h[1] ~= 'STARTED' then return cjson.encode({state = h[1], changed = false}) end
wf_finish({key = key, now = ARGV[2], ttl = ARGV[3]}, 'REVOKED', 'error',
  '{"type":"WorkflowRevoked","message":"the workflow was revoked"}')
local events = {}
for i = 1, tonumber(h[2]) do
  local f = redis.call('HMGET', key, 'k:' .. i, 'id:' .. i)
  if f[1] == 't' then
    local revoked = revoke_task(ARGV[1] .. f[2], f[2], KEYS[2], ARGV[2], ARGV[3])
    if revoked and revoked.changed then events[#events + 1] = {id = f[2], name = revoked.name, seq = revoked.seq} end
  end
end
return cjson.encode({state = 'REVOKED', changed = true, events = events})

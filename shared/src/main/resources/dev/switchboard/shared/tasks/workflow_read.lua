-- Read a workflow and its members' states in one go.
-- KEYS[1] workflow hash; ARGV: task key prefix (switchboard:[ns:]tasks:task:)
-- Returns {"missing": true} or {"state", "created", "finished", "result", "error" (raw JSON text),
--   "tasks": [{"id", "task", "state"}]} where state is false for a member never created (or expired unfinished)
local key = KEYS[1]
local h = redis.call('HMGET', key, 'state', 'created', 'finished', 'result', 'error', 'nodes')
if not h[1] then return cjson.encode({missing = true}) end
local tasks = {}
for i = 1, tonumber(h[6]) do
  local f = redis.call('HMGET', key, 'k:' .. i, 'id:' .. i, 'name:' .. i, 'r:' .. i)
  if f[1] == 't' then
    local state = redis.call('HGET', ARGV[1] .. f[2], 'state')
    if not state and f[4] then state = 'SUCCESS' end
    tasks[#tasks + 1] = {id = f[2], task = f[3], state = state or false}
  end
end
return cjson.encode({state = h[1], created = h[2], finished = h[3] or false, result = h[4] or false,
  error = h[5] or false, tasks = tasks})

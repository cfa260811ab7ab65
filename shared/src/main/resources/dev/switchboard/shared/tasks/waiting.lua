-- Shared by the scripts that take waiting tasks out of a queue (purge.lua, expire_waiting.lua; prepended to them,
-- after workflow_steps.lua).
-- A waiting entry is one after the group's last-delivered id: no worker has claimed it yet.

-- The group's last-delivered id on `stream` ('0-0' when no worker ever read it).
local function last_delivered(stream, group)
  local ok, groups = pcall(redis.call, 'XINFO', 'GROUPS', stream)
  if not ok then return '0-0' end
  for _, info in ipairs(groups) do
    local fields = {}
    for i = 1, #info, 2 do fields[info[i]] = info[i + 1] end
    if fields['name'] == group then return fields['last-delivered-id'] end
  end
  return '0-0'
end

-- Removes a waiting entry and ends its task REVOKED with `error` (JSON text), telling its client; returns the event
-- {id, name, seq} for the event bus, or nil when the task had ended or expired already.
local function revoke_waiting(stream, entry, prefix, now, ttl, error)
  redis.call('XDEL', stream, entry[1])
  local id = entry[2][2]
  local task = prefix .. id
  local h = redis.call('HMGET', task, 'state', 'name', 'notify')
  if not h[1] or h[1] == 'SUCCESS' or h[1] == 'FAILURE' or h[1] == 'REVOKED' then return nil end
  local seq = redis.call('HINCRBY', task, 'seq', 1)
  redis.call('HSET', task, 'state', 'REVOKED', 't_REVOKED', now, 'error', error)
  redis.call('PEXPIRE', task, ttl)
  celery_meta(task, 'REVOKED', CELERY_REVOKED, nil, now)
  if h[3] and h[3] ~= '' then
    redis.call('PUBLISH', h[3], cjson.encode({id = id, name = h[2], state = 'REVOKED', seq = seq, error = error}))
  end
  -- a workflow member taken out of its queue fails its workflow (workflow_steps.lua, prepended before this file)
  workflow_member_done(task, id, h[2], 'REVOKED', error, now, ttl)
  return {id = id, name = h[2], seq = seq}
end

-- Takes the waiting entries of `stream` with ids up to `upto` ('+' for all) out of their queue, at most `left`
-- (revoke_waiting each, events appended to `events`); returns how many, and whether some were left for lack of room.
local function take_waiting(stream, group, upto, left, prefix, now, ttl, error, events)
  if redis.call('XLEN', stream) == 0 then return 0, false end
  local entries = redis.call('XRANGE', stream, '(' .. last_delivered(stream, group), upto, 'COUNT', left + 1)
  local taken = 0
  for _, entry in ipairs(entries) do
    if taken >= left then return taken, true end
    taken = taken + 1
    local event = revoke_waiting(stream, entry, prefix, now, ttl, error)
    if event then table.insert(events, event) end
  end
  return taken, false
end

-- Workflow progression (chain, group, chord), a library prepended (after new_task.lua) to every script that ends a task (the worker's
-- settle and claim, the client's revoke) and to workflow_submit.lua: the next step is queued by the same script
-- that records the step before it, so a worker killed at any moment leaves nothing half done.
--
-- A workflow is one hash, {prefix}workflow:{wid}, holding its tree flattened into nodes 1..n (1 is the root):
--   k:i kind ('t' task, 'c' chain, 'g' group; a chord is stored as the chain [group(header), body]),
--   p:i parent, x:i position in the parent (1-based), c:i children (JSON array of node numbers),
--   for a task: id:i, name:i, args:i (JSON array, the arguments after the input), kw:i, opt:i, q:i, pr:i, eta:i,
--   in:i ('1': the previous result goes first in its arguments), rel:i ({"countdown", "expires"} in ms, relative to
--   when the step is queued);
--   r:i the node's result (raw JSON text, never decoded here: big integers stay exact) once it finished:
--   these fields are the set of finished members, so a member counts once (HSETNX) however often it is reported;
--   n:i how many children of group i finished (incremented only when a child's r: field is new);
--   state (PENDING, STARTED, SUCCESS, FAILURE), created, finished, result, error, live_ttl,
--   max_len (the queues' length bound when it was submitted, which later steps are held to).
-- Task hashes of members carry 'workflow' (the wid) and 'wnode' (their node).
local WF_HISTORY = 1000 -- TaskKeys.HISTORY_LENGTH: the recent list's bound
local wf_start, wf_complete

-- the key prefix (switchboard:[ns:]tasks:) of a task key, from the key and its id
local function wf_base(taskKey, id)
  return string.sub(taskKey, 1, #taskKey - #id - 5)
end

local function wf_finish(ctx, state, field, payload)
  redis.call('HSET', ctx.key, 'state', state, field, payload, 'finished', ctx.now)
  redis.call('PEXPIRE', ctx.key, ctx.ttl)
end

-- queues task node i as a task of its own (new_task.lua's layout and bounds), with the previous step's result first.
-- A step its queue (or the delayed set) has no room for fails the workflow, naming the step, and nothing more of
-- it is queued: the queue's bound holds for later steps as for the first ones.
local function wf_enqueue(ctx, i, input)
  if ctx.refused then return end
  local f = redis.call('HMGET', ctx.key, 'id:' .. i, 'name:' .. i, 'args:' .. i, 'kw:' .. i, 'opt:' .. i, 'q:' .. i,
    'pr:' .. i, 'in:' .. i, 'eta:' .. i, 'rel:' .. i, 'max_len')
  local id = f[1]
  local task = ctx.base .. 'task:' .. id
  if redis.call('EXISTS', task) == 1 then return end
  local args = f[3]
  if input and f[8] == '1' then
    local rest = string.sub(args, 2, -2)
    args = '[' .. input .. (string.find(rest, '%S') and (',' .. rest) or '') .. ']'
  end
  local options, eta = f[5], tonumber(f[9]) or 0
  if f[10] then
    -- a countdown or relative expiry counts from now, when the step is queued (options JSON edited as text: decoding
    -- and encoding it again would turn an empty retry_on list into an object)
    local rel = cjson.decode(f[10])
    if rel.countdown then
      eta = tonumber(ctx.now) + rel.countdown
      options = string.gsub(options, '"eta":%-?%d+', '"eta":' .. string.format('%d', eta), 1)
    end
    if rel.expires then
      options = string.gsub(options, '"expires":%-?%d+', '"expires":' .. string.format('%d', tonumber(ctx.now) + rel.expires), 1)
    end
  end
  local t = {task = task, stream = ctx.base .. 'queue:' .. f[6] .. ':' .. f[7], delayed = ctx.base .. 'delayed',
    recent = ctx.base .. 'recent', queues = ctx.base .. 'queues', stats = ctx.base .. 'stats',
    id = id, name = f[2], args = args, kwargs = f[4], options = options, queue = f[6], priority = f[7], notify = '',
    retries = 0, now = ctx.now, eta = eta, maxLength = f[11], history = WF_HISTORY,
    fields = {'workflow', ctx.wid, 'wnode', i}}
  -- workflows stored before the bound was kept in their hash have no max_len: queued unchecked, as then
  local refusal = f[11] and task_refusal(t)
  if refusal then
    ctx.refused = true
    local room = (eta > tonumber(ctx.now)) and 'the delayed set' or ('queue ' .. f[6])
    wf_finish(ctx, 'FAILURE', 'error', '{"type":"WorkflowFailed","message":'
      .. cjson.encode('task ' .. f[2] .. '[' .. id .. '] not queued: ' .. room .. ' is full (' .. f[11] .. ' tasks)')
      .. ',"task":' .. cjson.encode(f[2]) .. ',"task_id":' .. cjson.encode(id) .. ',"cause":null}')
    return
  end
  task_create(t)
end

-- starts node i with `input` (nil at the root): a task is queued, a chain starts its first step, a group all
wf_start = function(ctx, i, input)
  local kind = redis.call('HGET', ctx.key, 'k:' .. i)
  if kind == 't' then
    wf_enqueue(ctx, i, input)
    return
  end
  local children = cjson.decode(redis.call('HGET', ctx.key, 'c:' .. i))
  if kind == 'c' then
    wf_start(ctx, children[1], input)
  else
    for _, child in ipairs(children) do wf_start(ctx, child, input) end
  end
end

-- node i finished with `result`: record it once, then move its parent on (next chain step, or the group's list)
wf_complete = function(ctx, i, result)
  if redis.call('HSETNX', ctx.key, 'r:' .. i, result) == 0 then return end
  local pos = redis.call('HMGET', ctx.key, 'p:' .. i, 'x:' .. i)
  if not pos[1] then
    wf_finish(ctx, 'SUCCESS', 'result', result)
    return
  end
  local p, x = pos[1], tonumber(pos[2])
  local parent = redis.call('HMGET', ctx.key, 'k:' .. p, 'c:' .. p)
  local children = cjson.decode(parent[2])
  if parent[1] == 'c' then
    if x < #children then wf_start(ctx, children[x + 1], result) else wf_complete(ctx, p, result) end
  elseif redis.call('HINCRBY', ctx.key, 'n:' .. p, 1) == #children then
    local fields = {}
    for k, child in ipairs(children) do fields[k] = 'r:' .. child end
    wf_complete(ctx, p, '[' .. table.concat(redis.call('HMGET', ctx.key, unpack(fields)), ',') .. ']')
  end
end

-- Called when task `id` (key `task`) reaches a final state: SUCCESS moves its workflow on; FAILURE or REVOKED fails
-- the workflow, naming the member: nothing further is queued (later chain steps and a chord's body are never
-- created), members already queued run but change nothing. A finished workflow ignores its members.
local function workflow_member_done(task, id, name, state, payload, now, ttl)
  local w = redis.call('HMGET', task, 'workflow', 'wnode')
  if not w[1] then return end
  local base = wf_base(task, id)
  local ctx = {base = base, wid = w[1], key = base .. 'workflow:' .. w[1], now = now, ttl = ttl}
  local h = redis.call('HMGET', ctx.key, 'state', 'live_ttl')
  if h[1] ~= 'PENDING' and h[1] ~= 'STARTED' then return end
  if state == 'SUCCESS' then
    redis.call('HSET', ctx.key, 'state', 'STARTED')
    redis.call('PEXPIRE', ctx.key, h[2])
    wf_complete(ctx, tonumber(w[2]), payload)
    return
  end
  local ok, err = pcall(cjson.decode, payload or '')
  local message = (ok and type(err) == 'table' and type(err.message) == 'string') and err.message or nil
  local what
  if state == 'FAILURE' then
    what = 'failed: ' .. (message or '?')
  else
    -- revoked by hand (no error), or expired, purged: the reason follows
    what = 'was revoked' .. (message and (' (' .. tostring(err.type) .. ': ' .. message .. ')') or '')
  end
  local cause = (payload and payload ~= '') and payload or 'null'
  wf_finish(ctx, 'FAILURE', 'error', '{"type":"WorkflowFailed","message":'
    .. cjson.encode('task ' .. (name or '?') .. '[' .. id .. '] ' .. what) .. ',"task":' .. cjson.encode(name or '')
    .. ',"task_id":' .. cjson.encode(id) .. ',"cause":' .. cause .. '}')
end

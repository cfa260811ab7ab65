-- Create a workflow and queue its first step(s), atomically (after new_task.lua and workflow_steps.lua).
-- KEYS[1] workflow hash, KEYS[2] workflows list (newest first), KEYS[3..] the streams its tasks go to
-- ARGV: wid, now, nodes JSON [{k, p?, x?, c?, id?, name?, args?, kw?, opt?, q?, pr?, eta?, in?, rel?}] (node i at
--       index i), key prefix (switchboard:[ns:]tasks:), liveTtlMs, historyLength, maxLength (queue bound)
-- Returns {"created": true} or {"exists": true} or {"full": stream}
local key = KEYS[1]
if redis.call('EXISTS', key) == 1 then return cjson.encode({exists = true}) end
local maxLength = tonumber(ARGV[7])
for i = 3, #KEYS do
  if redis.call('XLEN', KEYS[i]) >= maxLength then return cjson.encode({full = KEYS[i]}) end
end
local nodes = cjson.decode(ARGV[3])
local fields = {'id', ARGV[1], 'state', 'PENDING', 'created', ARGV[2], 'nodes', #nodes, 'live_ttl', ARGV[5],
  'max_len', ARGV[7]}
local function flush()
  redis.call('HSET', key, unpack(fields))
  fields = {}
end
local function put(name, value)
  fields[#fields + 1] = name
  fields[#fields + 1] = value
  if #fields >= 200 then flush() end
end
for i, n in ipairs(nodes) do
  put('k:' .. i, n.k)
  if n.p then
    put('p:' .. i, n.p)
    put('x:' .. i, n.x)
  end
  if n.c then put('c:' .. i, cjson.encode(n.c)) end
  if n.k == 't' then
    put('id:' .. i, n.id)
    put('name:' .. i, n.name)
    put('args:' .. i, n.args)
    put('kw:' .. i, n.kw)
    put('opt:' .. i, n.opt)
    put('q:' .. i, n.q)
    put('pr:' .. i, n.pr)
    put('eta:' .. i, n.eta)
    put('in:' .. i, n['in'])
    if n.rel ~= '' then put('rel:' .. i, n.rel) end
  end
end
if #fields > 0 then flush() end
redis.call('PEXPIRE', key, ARGV[5])
redis.call('LPUSH', KEYS[2], ARGV[1])
redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[6]) - 1)
wf_start({base = ARGV[4], wid = ARGV[1], key = key, now = ARGV[2], ttl = ARGV[5]}, 1, nil)
return cjson.encode({created = true})

-- Claim up to `count` tasks for one worker, highest priority first, and mark each STARTED, atomically.
-- Reclaims first (XAUTOCLAIM) entries idle past the visibility timeout (their worker died), then reads new
-- entries. Entries whose task is gone, finished or revoked are dropped; expired ones become REVOKED;
-- rate-limited ones go back to the delayed set for their next window. Nothing is claimed beyond `count`.
-- A task this worker does not know (its name is not in `known`) is left for a worker that does: back to the
-- delayed set for `deferMs`, not counted as a delivery. A task whose earlier deliveries were all lost (claimed,
-- then neither settled nor handed back: its worker died) `max_deliveries` times ends FAILURE WorkerLost
-- instead of killing one more worker. Each claim gets a new lease, the fence every later transition checks.
-- The streams of a paused queue (in the paused set) are skipped: neither new nor reclaimed entries start.
-- KEYS[1] delayed set, KEYS[2] failed list, KEYS[3] stats hash, KEYS[4] paused set, KEYS[5..] streams in
-- priority order
-- ARGV: group, consumer, count, now, taskPrefix, reclaimMinIdleMs (0: no reclaim), ratePrefix,
--       limits JSON {name: [count, windowMs]}, resultTtlMs, known JSON {name: true}, deferMs,
--       defaultMaxDeliveries, historyLength, streamPrefix (a stream is streamPrefix .. queue .. ':' .. priority)
-- Returns an array: tasks [[id, name, args JSON, options JSON, retries, delivery, lease, seq, stream, entry]...],
-- the events of tasks the claim ended (JSON [{id, name, state, seq, error?}], '' for none), deferred [name...],
-- last [stream, newest id, ...] (when short of count)
local delayed, failed, stats = KEYS[1], KEYS[2], KEYS[3]
local group, consumer = ARGV[1], ARGV[2]
local need, now = tonumber(ARGV[3]), tonumber(ARGV[4])
local taskPrefix, minIdle, ratePrefix = ARGV[5], tonumber(ARGV[6]), ARGV[7]
local limits = cjson.decode(ARGV[8])
local ttl = ARGV[9]
local known, deferMs = cjson.decode(ARGV[10]), tonumber(ARGV[11])
local defaultMaxDeliveries, history = tonumber(ARGV[12]), ARGV[13]
local tasks, events, deferred, last = {}, {}, {}, {}
-- entries looked at per claim, whatever became of them: one claim never holds Redis for long
local budget = need + 256
local FIRST_STREAM = 5

-- streams of paused queues, looked up once per claim (none at all in the common case)
local paused = {}
if redis.call('SCARD', KEYS[4]) > 0 then
  local streamPrefix = ARGV[14]
  for i = FIRST_STREAM, #KEYS do
    local queue = string.match(string.sub(KEYS[i], #streamPrefix + 1), '^(.*):%d+$')
    paused[KEYS[i]] = queue ~= nil and redis.call('SISMEMBER', KEYS[4], queue) == 1
  end
end

local function drop(stream, eid)
  redis.call('XACK', stream, group, eid)
  redis.call('XDEL', stream, eid)
end

local function start(stream, eid, id)
  local task = taskPrefix .. id
  budget = budget - 1
  local h = redis.call('HMGET', task, 'state', 'name', 'options', 'args', 'retries', 'notify', 'deliveries',
    'handbacks', 'queue')
  local state, name = h[1], h[2]
  if not state or state == 'SUCCESS' or state == 'FAILURE' or state == 'REVOKED' then
    drop(stream, eid)
    return
  end
  local options = cjson.decode(h[3])
  local expires = tonumber(options['expires'] or 0)
  if expires > 0 and now > expires then
    drop(stream, eid)
    local seq = redis.call('HINCRBY', task, 'seq', 1)
    redis.call('HSET', task, 'state', 'REVOKED', 't_REVOKED', now,
      'error', cjson.encode({type = 'TaskExpired', message = 'expired before it started'}))
    redis.call('PEXPIRE', task, ttl)
    celery_meta(task, 'REVOKED', CELERY_REVOKED, nil, now)
    table.insert(events, {id = id, name = name, state = 'REVOKED', seq = seq})
    if h[6] and h[6] ~= '' then
      redis.call('PUBLISH', h[6], cjson.encode({id = id, name = name, state = 'REVOKED', seq = seq,
        error = cjson.encode({type = 'TaskExpired', message = 'expired before it started'})}))
    end
    workflow_member_done(task, id, name, 'REVOKED', cjson.encode({type = 'TaskExpired',
      message = 'expired before it started'}), now, ttl)
    return
  end
  local limit = limits[name]
  if limit then
    local window = math.floor(now / limit[2])
    local counter = ratePrefix .. name .. ':' .. window
    local used = redis.call('INCR', counter)
    if used == 1 then redis.call('PEXPIRE', counter, limit[2]) end
    if used > limit[1] then
      drop(stream, eid)
      redis.call('ZADD', delayed, (window + 1) * limit[2], id)
      return
    end
  end
  if not known[name] then
    drop(stream, eid)
    redis.call('ZADD', delayed, now + deferMs, id)
    table.insert(deferred, name)
    return
  end
  local retries = tonumber(h[5]) or 0
  local lost = (tonumber(h[7]) or 0) - retries - (tonumber(h[8]) or 0)
  local maxDeliveries = tonumber(options['max_deliveries'] or defaultMaxDeliveries)
  if lost >= maxDeliveries then
    drop(stream, eid)
    local error = cjson.encode({type = 'WorkerLost', message = 'task ' .. name .. '[' .. id .. '] was delivered '
      .. lost .. ' time(s) and its worker was lost each time (max_deliveries ' .. maxDeliveries .. ')'})
    local seq = finish({key = task, id = id, name = name, queue = h[9], notify = h[6], state = 'FAILURE',
      field = 'error', payload = error, now = now, ttl = ttl, failed = failed, history = history, stats = stats})
    table.insert(events, {id = id, name = name, state = 'FAILURE', seq = seq, error = error})
    return
  end
  local delivery = redis.call('HINCRBY', task, 'deliveries', 1)
  local lease = redis.call('HINCRBY', task, 'lease', 1)
  local seq = redis.call('HINCRBY', task, 'seq', 1)
  redis.call('HSET', task, 'state', 'STARTED', 't_STARTED', now, 'worker', consumer, 'entry', eid)
  celery_meta(task, 'STARTED', '{"pid": 0, "hostname": ' .. cjson.encode(consumer) .. '}', nil, now)
  -- the worker publishes each claimed task's STARTED event itself (no JSON for the common case)
  table.insert(tasks, {id, name, h[4] or '[]', h[3] or '{}', retries, delivery, lease, seq, stream, eid})
  need = need - 1
end

if minIdle > 0 then
  for i = FIRST_STREAM, #KEYS do
    if need <= 0 or budget <= 0 then break end
    if not paused[KEYS[i]] and redis.call('XLEN', KEYS[i]) > 0 then
      local reclaimed = redis.call('XAUTOCLAIM', KEYS[i], group, consumer, minIdle, '0-0', 'COUNT', need)
      for _, entry in ipairs(reclaimed[2]) do
        if entry and entry[2] then start(KEYS[i], entry[1], entry[2][2]) end
      end
    end
  end
end

for i = FIRST_STREAM, #KEYS do
  if need <= 0 or budget <= 0 then break end
  local stream = KEYS[i]
  -- most priorities of most queues are empty: one XLEN, and any entry that comes later is new to the wait
  if redis.call('XLEN', stream) == 0 then
    last[stream] = '0-0'
  else
    while need > 0 and budget > 0 and not paused[stream] do
      local read = redis.call('XREADGROUP', 'GROUP', group, consumer, 'COUNT', need, 'STREAMS', stream, '>')
      if not read then break end
      for _, entry in ipairs(read[1][2]) do start(stream, entry[1], entry[2][2]) end
    end
    if need > 0 then
      local newest = redis.call('XREVRANGE', stream, '+', '-', 'COUNT', 1)
      last[stream] = newest[1] and newest[1][1] or '0-0'
    end
  end
end

-- a plain reply, no JSON around the tasks (whose args and options are JSON already: no escaping, no second parse)
local lastFlat = {}
for stream, id in pairs(last) do
  table.insert(lastFlat, stream)
  table.insert(lastFlat, id)
end
return {tasks, #events > 0 and cjson.encode(events) or '', deferred, lastFlat}

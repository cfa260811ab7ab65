-- Shared by claim.lua and settle.lua (prepended after transitions.lua): claim_tasks(c) claims up to c.need tasks for
-- one worker, highest priority first, and marks each STARTED, atomically.
-- Reclaims first (XAUTOCLAIM) entries idle past the visibility timeout (their worker died), then reads new
-- entries. Entries whose task is gone, finished or revoked are dropped; expired ones become REVOKED;
-- rate-limited ones go back to the delayed set for their next window. Nothing is claimed beyond `need`.
-- A task this worker does not know (its name is not in `known`) is left for a worker that does: back to the
-- delayed set for `deferMs`, not counted as a delivery. A task whose earlier deliveries were all lost (claimed,
-- then neither settled nor handed back: its worker died) `max_deliveries` times ends FAILURE WorkerLost
-- instead of killing one more worker. Each claim gets a new lease, the fence every later transition checks.
-- The streams of a paused queue (in the paused set) are skipped: neither new nor reclaimed entries start.
-- c = {delayed, failed, stats, paused (keys), streams (stream keys in priority order), group, consumer, need, now,
--      taskPrefix, minIdle (0: no reclaim), ratePrefix, limits (JSON {name: [count, windowMs]}), ttl (result TTL ms),
--      known (JSON {name: true}), deferMs, defaultMaxDeliveries, history, streamPrefix (a stream is
--      streamPrefix .. queue .. ':' .. priority)}
-- Returns tasks [[id, name, args JSON, options JSON, retries, delivery, lease, seq, stream, entry]...], the events of
-- tasks the claim ended (JSON [{id, name, state, seq, error?}], '' for none), deferred [name...], last [stream,
-- newest id, ...] (when short of need)
local function claim_tasks(c)
  local need, now, ttl = c.need, c.now, c.ttl
  local tasks, events, deferred, last = {}, {}, {}, {}
  if need <= 0 then return tasks, '', deferred, last end
  local limits, known = cjson.decode(c.limits), cjson.decode(c.known)
  -- entries looked at per claim, whatever became of them: one claim never holds Redis for long
  local budget = need + 256

  -- streams of paused queues, looked up once per claim (none at all in the common case)
  local paused = {}
  if redis.call('SCARD', c.paused) > 0 then
    for _, stream in ipairs(c.streams) do
      local queue = string.match(string.sub(stream, #c.streamPrefix + 1), '^(.*):%d+$')
      paused[stream] = queue ~= nil and redis.call('SISMEMBER', c.paused, queue) == 1
    end
  end

  local function drop(stream, eid)
    redis.call('XACK', stream, c.group, eid)
    redis.call('XDEL', stream, eid)
  end

  local function start(stream, eid, id)
    local task = c.taskPrefix .. id
    budget = budget - 1
    local h = redis.call('HMGET', task, 'state', 'name', 'options', 'args', 'retries', 'notify', 'deliveries',
      'handbacks', 'queue', 'lease', 'seq', 'celery', 'expires')
    local state, name = h[1], h[2]
    if not state or state == 'SUCCESS' or state == 'FAILURE' or state == 'REVOKED' then
      drop(stream, eid)
      return
    end
    -- the options JSON is decoded only when needed (decoding costs about as much as the HMGET): the expiry is a
    -- field of its own in tasks a client queued (new_task.lua), and max_deliveries (at least 1) matters only once a
    -- delivery was lost
    local options
    local function option(key)
      options = options or cjson.decode(h[3])
      return options[key]
    end
    local expires = tonumber(h[13] or option('expires') or 0)
    if expires > 0 and now > expires then
      drop(stream, eid)
      local seq = redis.call('HINCRBY', task, 'seq', 1)
      redis.call('HSET', task, 'state', 'REVOKED', 't_REVOKED', now,
        'error', cjson.encode({type = 'TaskExpired', message = 'expired before it started'}))
      redis.call('PEXPIRE', task, ttl)
      celery_meta(task, 'REVOKED', CELERY_EXPIRED, nil, now)
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
      local counter = c.ratePrefix .. name .. ':' .. window
      local used = redis.call('INCR', counter)
      if used == 1 then redis.call('PEXPIRE', counter, limit[2]) end
      if used > limit[1] then
        drop(stream, eid)
        redis.call('ZADD', c.delayed, (window + 1) * limit[2], id)
        return
      end
    end
    if not known[name] then
      drop(stream, eid)
      redis.call('ZADD', c.delayed, now + c.deferMs, id)
      table.insert(deferred, name)
      return
    end
    local retries = tonumber(h[5]) or 0
    local lost = (tonumber(h[7]) or 0) - retries - (tonumber(h[8]) or 0)
    local maxDeliveries = lost > 0 and tonumber(option('max_deliveries') or c.defaultMaxDeliveries)
    if maxDeliveries and lost >= maxDeliveries then
      drop(stream, eid)
      local error = cjson.encode({type = 'WorkerLost', message = 'task ' .. name .. '[' .. id .. '] was delivered '
        .. lost .. ' time(s) and its worker was lost each time (max_deliveries ' .. maxDeliveries .. ')'})
      local seq = finish({key = task, id = id, name = name, queue = h[9], notify = h[6], state = 'FAILURE',
        field = 'error', payload = error, now = now, ttl = ttl, failed = c.failed, history = c.history,
        stats = c.stats})
      table.insert(events, {id = id, name = name, state = 'FAILURE', seq = seq, error = error})
      return
    end
    -- the counters read above, written back with the new state in one command (the script is atomic)
    local delivery = (tonumber(h[7]) or 0) + 1
    local lease = (tonumber(h[10]) or 0) + 1
    local seq = (tonumber(h[11]) or 0) + 1
    redis.call('HSET', task, 'state', 'STARTED', 't_STARTED', now, 'worker', c.consumer, 'entry', eid,
      'deliveries', delivery, 'lease', lease, 'seq', seq)
    if h[12] then
      celery_meta(task, 'STARTED', '{"pid": 0, "hostname": ' .. cjson.encode(c.consumer) .. '}', nil, now)
    end
    -- the worker publishes each claimed task's STARTED event itself (no JSON for the common case)
    table.insert(tasks, {id, name, h[4] or '[]', h[3] or '{}', retries, delivery, lease, seq, stream, eid})
    need = need - 1
  end

  if c.minIdle > 0 then
    for _, stream in ipairs(c.streams) do
      if need <= 0 or budget <= 0 then break end
      if not paused[stream] and redis.call('XLEN', stream) > 0 then
        local reclaimed = redis.call('XAUTOCLAIM', stream, c.group, c.consumer, c.minIdle, '0-0', 'COUNT', need)
        for _, entry in ipairs(reclaimed[2]) do
          if entry and entry[2] then start(stream, entry[1], entry[2][2]) end
        end
      end
    end
  end

  for _, stream in ipairs(c.streams) do
    if need <= 0 or budget <= 0 then break end
    -- most priorities of most queues are empty: one XLEN, and any entry that comes later is new to the wait
    if redis.call('XLEN', stream) == 0 then
      last[stream] = '0-0'
    else
      while need > 0 and budget > 0 and not paused[stream] do
        local read = redis.call('XREADGROUP', 'GROUP', c.group, c.consumer, 'COUNT', need, 'STREAMS', stream, '>')
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
  return tasks, #events > 0 and cjson.encode(events) or '', deferred, lastFlat
end

-- The claim's part of a script's arguments, from ARGV[first] on (14 values, in the order of claim.lua's ARGV), with
-- the streams KEYS[firstStream .. lastStream].
local function claim_request(first, firstStream, lastStream)
  local streams = {}
  for i = firstStream, lastStream do table.insert(streams, KEYS[i]) end
  local a = first - 1
  return {delayed = KEYS[1], failed = KEYS[2], stats = KEYS[3], paused = KEYS[4], streams = streams,
    group = ARGV[a + 1], consumer = ARGV[a + 2], need = tonumber(ARGV[a + 3]), now = tonumber(ARGV[a + 4]),
    taskPrefix = ARGV[a + 5], minIdle = tonumber(ARGV[a + 6]), ratePrefix = ARGV[a + 7], limits = ARGV[a + 8],
    ttl = ARGV[a + 9], known = ARGV[a + 10], deferMs = tonumber(ARGV[a + 11]),
    defaultMaxDeliveries = tonumber(ARGV[a + 12]), history = ARGV[a + 13], streamPrefix = ARGV[a + 14]}
end

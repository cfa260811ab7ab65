-- Prelude of every task script (LuaScript prepends it): Celery result metas, protocol v2 on the Redis backend.
-- A task that came from a Celery client has the hash field 'celery' (the result TTL, seconds); each of its state
-- changes also writes what a Celery worker would: SETEX + PUBLISH celery-task-meta-<id> (AsyncResult.get() reads
-- the key once, then listens on the channel only). JSON is built as text: Redis' cjson would turn the empty
-- "children": [] into {}.
local CELERY_REVOKED = '{"exc_type": "TaskRevokedError", "exc_message": ["revoked"], "exc_module": "celery.exceptions"}'
-- what a Celery worker writes for a task whose expires passed before it started (Request.revoked: 'expired')
local CELERY_EXPIRED = '{"exc_type": "TaskRevokedError", "exc_message": ["expired"], "exc_module": "celery.exceptions"}'
-- Switchboard errors with a Celery counterpart raise that very class in Python, so `except TimeLimitExceeded:`
-- written for a Celery worker still catches them
local CELERY_EXCEPTIONS = {
  ['dev.switchboard.worker.TimeLimitExceeded'] = {'billiard.exceptions', 'TimeLimitExceeded'},
  MaxRetriesExceeded = {'celery.exceptions', 'MaxRetriesExceededError'}}

-- Celery's date_done: naive UTC isoformat with microseconds (days-from-civil, inverted; Redis' Lua has no os.date).
local function celery_iso(ms)
  local s = math.floor(ms / 1000)
  local days = math.floor(s / 86400)
  local rem = s - days * 86400
  local z = days + 719468
  local era = math.floor(z / 146097)
  local doe = z - era * 146097
  local yoe = math.floor((doe - math.floor(doe / 1460) + math.floor(doe / 36524) - math.floor(doe / 146096)) / 365)
  local doy = doe - (365 * yoe + math.floor(yoe / 4) - math.floor(yoe / 100))
  local mp = math.floor((5 * doy + 2) / 153)
  local d = doy - math.floor((153 * mp + 2) / 5) + 1
  local m = mp < 10 and mp + 3 or mp - 9
  local y = yoe + era * 400 + (m <= 2 and 1 or 0)
  return string.format('%04d-%02d-%02dT%02d:%02d:%02d.%06d', y, m, d, math.floor(rem / 3600),
    math.floor((rem % 3600) / 60), rem % 60, (ms % 1000) * 1000)
end

-- Writes one meta as a Celery worker does, or, when the Celery broker is another Redis (`outbox` names the stream
-- on this one), queues it there for CeleryMetaRelay, which writes it on the Celery Redis ('' meta: delete it).
-- The outbox is capped (CELERY_OUTBOX_MAX, approximate trim); the relay keeps it near empty and reports its length.
local CELERY_OUTBOX_MAX = 100000

local function celery_emit(id, meta, ttl, outbox)
  local key = 'celery-task-meta-' .. id
  if outbox and outbox ~= '' then
    redis.call('XADD', outbox, 'MAXLEN', '~', CELERY_OUTBOX_MAX, '*', 'key', key, 'meta', meta, 'ttl', ttl)
  elseif meta == '' then
    redis.call('DEL', key)
  else
    redis.call('SETEX', key, ttl, meta)
    redis.call('PUBLISH', key, meta)
  end
end

local function celery_write(id, state, result, traceback, now, ttl, outbox)
  local final = state == 'SUCCESS' or state == 'FAILURE' or state == 'REVOKED'
  local meta = '{"status": ' .. cjson.encode(state) .. ', "result": ' .. (result or 'null') .. ', "traceback": '
    .. (type(traceback) == 'string' and cjson.encode(traceback) or 'null') .. ', "children": [], "date_done": '
    .. (final and ('"' .. celery_iso(tonumber(now)) .. '"') or 'null') .. ', "task_id": ' .. cjson.encode(id) .. '}'
  celery_emit(id, meta, ttl, outbox)
end

-- A Switchboard error {"type": "java.lang.IllegalStateException", "message", "stack"} as Celery's exception
-- result: Python's get() raises a class of that simple name with that message. Returns result, traceback.
local function celery_error(payload)
  local ok, err = pcall(cjson.decode, payload or '')
  if not ok or type(err) ~= 'table' then err = {} end
  local full = type(err.type) == 'string' and err.type or 'java.lang.RuntimeException'
  local module, simple = string.match(full, '^(.*)%.([^%.]+)$')
  if not module then module, simple = 'switchboard', full end
  local celery = CELERY_EXCEPTIONS[full]
  if celery then module, simple = celery[1], celery[2] end
  local message = type(err.message) == 'string' and ('[' .. cjson.encode(err.message) .. ']') or '[]'
  return '{"exc_type": ' .. cjson.encode(simple) .. ', "exc_message": ' .. message .. ', "exc_module": '
    .. cjson.encode(module) .. '}', err.stack
end

-- The meta of one state change of the task in hash `task`, if it came from Celery; `result` is JSON text.
local function celery_meta(task, state, result, traceback, now)
  local h = redis.call('HMGET', task, 'celery', 'id', 'celery_out')
  if not h[1] then return end
  celery_write(h[2], state, result, traceback, now, h[1], h[3])
end

-- The task waits again (handed back by a stopping worker): Celery's PENDING is the absence of a meta, so the
-- STARTED/PROGRESS meta of the attempt that ended goes (AsyncResult.state reads PENDING, get() keeps waiting).
local function celery_pending(task)
  local h = redis.call('HMGET', task, 'celery', 'id', 'celery_out')
  if not h[1] then return end
  celery_emit(h[2], '', h[1], h[3])
end

local function celery_failure(task, state, payload, now)
  local h = redis.call('HMGET', task, 'celery')
  if not h[1] then return end
  local result, traceback = celery_error(payload)
  celery_meta(task, state, result, traceback, now)
end

-- Write one meta from Switchboard's outbox on the Celery Redis as a Celery worker does (SETEX + PUBLISH; '' deletes:
-- PENDING again). Like Celery's backend it never replaces a final meta by a later non-final one (relays on several
-- nodes may deliver one task's metas out of order).
-- KEYS[1] celery-task-meta-<id>; ARGV: meta JSON or '', ttl (s). Returns 1 when written, 0 when skipped.
local function final(meta)
  local ok, decoded = pcall(cjson.decode, meta)
  local s = ok and type(decoded) == 'table' and decoded.status
  return s == 'SUCCESS' or s == 'FAILURE' or s == 'REVOKED'
end
local current = redis.call('GET', KEYS[1])
if current and final(current) and (ARGV[1] == '' or not final(ARGV[1])) then return 0 end
if ARGV[1] == '' then
  redis.call('DEL', KEYS[1])
else
  redis.call('SETEX', KEYS[1], ARGV[2], ARGV[1])
  redis.call('PUBLISH', KEYS[1], ARGV[1])
end
return 1

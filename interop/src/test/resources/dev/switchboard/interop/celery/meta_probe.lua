-- Test probe: writes one Celery meta with the prelude's functions (celery_meta.lua) and returns what was SET.
-- ARGV: id, state, result JSON ('' with a Switchboard error in ARGV[4] instead), error JSON or '', now (ms), ttl
local result, traceback = ARGV[3], nil
if ARGV[4] ~= '' then result, traceback = celery_error(ARGV[4]) end
celery_write(ARGV[1], ARGV[2], result, traceback, ARGV[5], ARGV[6])
return redis.call('GET', 'celery-task-meta-' .. ARGV[1])

-- A Celery envelope this worker cannot run (unknown task, pickle, compression, canvas, bad arguments): it leaves
-- the ingesting list and its task ends FAILURE in Celery's backend, with a message saying why, atomically; so do the
-- tasks whose results wait on it (a chain's later tasks, a chord's body), as a Celery worker's mark_as_failure does.
-- KEYS[1] ingesting list; ARGV: envelope, id ('' when the envelope has none), exception result JSON, now, ttl,
-- then the downstream ids
if redis.call('LREM', KEYS[1], 1, ARGV[1]) == 0 then return 0 end
if ARGV[2] ~= '' then
  celery_write(ARGV[2], 'FAILURE', ARGV[3], nil, ARGV[4], ARGV[5])
end
for i = 6, #ARGV do
  celery_write(ARGV[i], 'FAILURE', ARGV[3], nil, ARGV[4], ARGV[5])
end
return 1

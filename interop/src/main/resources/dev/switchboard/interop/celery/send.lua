-- Send one Celery task message and remember what was sent under its id, atomically (a task is never known without
-- its message, nor sent without being known).
-- KEYS[1] the kombu list of its queue and priority, KEYS[2] the sent marker; ARGV: envelope, {name, queue}, ttl (s)
redis.call('LPUSH', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
return 1

-- channels_redis' group_send, first half: forget members older than the group expiry, then list the rest.
-- KEYS[1] the group's sorted set; ARGV[1] the oldest score kept (now - group_expiry, whole seconds)
redis.call('ZREMRANGEBYSCORE', KEYS[1], 0, ARGV[1])
return redis.call('ZRANGE', KEYS[1], 0, -1)

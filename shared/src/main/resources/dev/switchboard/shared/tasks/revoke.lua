-- Revoke a task (revoke_task.lua says how).
-- KEYS[1] task hash, KEYS[2] delayed set; ARGV: id, now, ttlMs
-- Returns {"state": ..., "seq": n, "name": ..., "changed": bool} or {"missing": true}
local revoked = revoke_task(KEYS[1], ARGV[1], KEYS[2], ARGV[2], ARGV[3])
if not revoked then return cjson.encode({missing = true}) end
return cjson.encode(revoked)

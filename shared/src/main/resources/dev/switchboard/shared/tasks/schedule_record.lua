-- Records an occurrence that could not be sent (its error is in the run record), under schedule_fence.lua's checks.
return cjson.encode({recorded = true})

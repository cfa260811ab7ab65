-- The newest tasks of a history list, optionally only those in one state, at most ARGV[3] of them. Ids whose hash
-- expired are skipped. Large fields (args, kwargs, result) are cut to ARGV[4] characters and errors lose their
-- stack: this is a listing (the task's own endpoint has it all).
-- KEYS[1] history list (recent or failed); ARGV: task key prefix, state ('' for any), limit, maxFieldLength
local prefix, state, limit, cut = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local ids = redis.call('LRANGE', KEYS[1], 0, -1)
local tasks = {}
for _, id in ipairs(ids) do
  if #tasks >= limit then break end
  local flat = redis.call('HGETALL', prefix .. id)
  if #flat > 0 then
    local task = {}
    for i = 1, #flat, 2 do task[flat[i]] = flat[i + 1] end
    if state == '' or task['state'] == state then
      for _, name in ipairs({'args', 'kwargs', 'result'}) do
        if task[name] and #task[name] > cut then task[name] = string.sub(task[name], 1, cut) .. '...' end
      end
      if task['error'] then
        local ok, err = pcall(cjson.decode, task['error'])
        if ok and type(err) == 'table' then
          err['stack'] = nil
          task['error'] = cjson.encode(err)
        end
      end
      task['options'] = nil
      task['entry'] = nil
      table.insert(tasks, task)
    end
  end
end
return cjson.encode(tasks)

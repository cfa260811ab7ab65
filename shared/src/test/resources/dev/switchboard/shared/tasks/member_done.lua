-- Test only (after workflow_steps.lua): reports that workflow member KEYS[1] (task id ARGV[1]) ended SUCCESS with the
-- result ARGV[2], as a worker's settle would; ARGV[3] now, ARGV[4] result TTL.
workflow_member_done(KEYS[1], ARGV[1], 'add', 'SUCCESS', ARGV[2], ARGV[3], ARGV[4])
return 1

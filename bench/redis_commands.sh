#!/bin/bash
# Redis commands per task, machine-load independent: a private redis-server on a free port, one Switchboard worker
# JVM and bench/TaskBench.java against it, with MONITOR recording every command (client round trips and the commands
# Lua scripts run inside Redis). Prints the commands per task by name, split into round trips (what a client sent)
# and script-internal calls. Not a throughput benchmark: the figures do not depend on timing, only on the code path.
#   bash bench/redis_commands.sh            (after `mvn -B package`)
# Env: TASKS [2000] tasks of each throughput pass; OUT [/tmp/redis-commands-*]; MONITOR [1] (0: no MONITOR, no counts,
# only the CPU ticks per task, which MONITOR inflates in Redis); REDIS_WRAP (a command redis-server runs under, e.g.
# `valgrind --tool=callgrind --callgrind-out-file=F`: instructions per task, whatever the machine's load). Stops only
# what it started.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
JAR="$ROOT/deploy/target/switchboard.jar"
TASKS=${TASKS:-2000}
OUT=${OUT:-/tmp/redis-commands-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
STARTED=()
cleanup() { local i; for ((i=${#STARTED[@]}-1; i>=0; i--)); do kill -TERM "${STARTED[$i]}" 2>/dev/null; wait "${STARTED[$i]}" 2>/dev/null; done; STARTED=(); }
trap cleanup EXIT

${REDIS_WRAP:-} redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$OUT" > "$OUT/redis.log" 2>&1 &
REDIS_PID=$!; STARTED+=($REDIS_PID)
for i in $(seq 300); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
URL=redis://127.0.0.1:$PORT
echo '{"tasks": {"namespace": "cmds", "concurrency": 16}}' > "$OUT/worker.json"
SWITCHBOARD_REDIS_URL=$URL SWITCHBOARD_HTTP_PORT=0 SWITCHBOARD_TCP_ECHO_PORT=0 \
  java -Xmx512m -jar "$JAR" worker --config "$OUT/worker.json" > "$OUT/worker.log" 2>&1 &
WORKER_PID=$!; STARTED+=($WORKER_PID)
for i in $(seq 600); do grep -q "Switchboard ready" "$OUT/worker.log" && break; sleep 0.1; done

# CPU time (clock ticks of user + system), not wall time: what each process spent, however loaded the machine is
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
R0=$(ticks $REDIS_PID); W0=$(ticks $WORKER_PID)
MONITOR=${MONITOR:-1}
: > "$OUT/monitor.txt"
MON=
[ "$MONITOR" = 1 ] && { redis-cli -p "$PORT" monitor > "$OUT/monitor.txt" & MON=$!; }
# warm-up (1 + 200), throughput twice (cold and warm pass, TASKS each), 20 more, latency (20 sequential): all noop
TASK_DEADLINE_S=120 java -Xmx512m -cp "$JAR" "$ROOT/bench/TaskBench.java" "$URL" cmds "$TASKS" 20 > "$OUT/bench.txt" 2> "$OUT/bench.err"
R1=$(ticks $REDIS_PID); W1=$(ticks $WORKER_PID)
# where Redis' time went by command (usec: inside the command, scripts included), and its CPU split (main thread...)
redis-cli -p "$PORT" info commandstats > "$OUT/commandstats.txt"; redis-cli -p "$PORT" info cpu > "$OUT/cpu.txt"
[ -n "$MON" ] && { kill $MON 2>/dev/null; wait $MON 2>/dev/null; }
TOTAL=$((1 + 200 + 2 * TASKS + 20 + 20))
cat "$OUT/bench.txt"
HZ=$(getconf CLK_TCK)
echo "cpu per task (includes the worker's JIT warm-up$([ "$MONITOR" = 1 ] && echo " and MONITOR's own cost in Redis")): redis $(( (R1 - R0) * 1000000 / HZ / TOTAL )) us, worker $(( (W1 - W0) * 1000000 / HZ / TOTAL )) us"
python3 - "$OUT/monitor.txt" "$TOTAL" <<'PY'
import collections, re, sys
path, total = sys.argv[1], int(sys.argv[2])
trips, inner = collections.Counter(), collections.Counter()
for line in open(path, errors="replace"):
    m = re.match(r'^[\d.]+ \[\d+ ([^\]]+)\] "([^"]+)"', line)
    if not m:
        continue
    (inner if m.group(1) == "lua" else trips)[m.group(2).upper()] += 1
print(f"tasks: {total}")
print(f"round trips per task: {sum(trips.values()) / total:.2f}   " + ", ".join(
    f"{name} {count / total:.2f}" for name, count in trips.most_common()))
print(f"commands inside scripts per task: {sum(inner.values()) / total:.2f}   " + ", ".join(
    f"{name} {count / total:.2f}" for name, count in inner.most_common(14)))
PY

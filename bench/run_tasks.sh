#!/bin/bash
# Task benchmark, Switchboard beside BullMQ 5 and Celery in one run, same Redis (127.0.0.1:6379), 127.0.0.1 only.
#   bash bench/run_tasks.sh                 (from the repository root, after `mvn -B package`)
# Env: TASKS [5000] noop tasks enqueued then awaited; TASK_LAT_N [500] sequential delay().get();
#      SB_CONCURRENCY [16] task slots of the one Switchboard worker (one event-loop thread runs async noop);
#      PEERS [/work/shared/peers]; NODE_PATH [$HOME/.cache/switchboard-peers/node_modules] (bullmq, from the peers'
#      setup.sh; BullMQ is skipped when missing); OUT [/tmp/tasks-bench-*]. Stops only the PIDs it started.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PEERS=${PEERS:-/work/shared/peers}
PY=/usr/bin/python3
export PYTHONDONTWRITEBYTECODE=1
OUT=${OUT:-/tmp/tasks-bench-$(date +%Y%m%d-%H%M%S)}
TASKS=${TASKS:-5000}; TASK_LAT_N=${TASK_LAT_N:-500}; SB_CONCURRENCY=${SB_CONCURRENCY:-16}
REDIS_URL=redis://127.0.0.1:6379
JAR="$ROOT/deploy/target/switchboard.jar"
mkdir -p "$OUT"; RES="$OUT/results.txt"; : > "$RES"

. "$ROOT/bench/procs.sh"

REDIS_PID=$(redis-cli -h 127.0.0.1 -p 6379 info server | tr -d '\r' | awk -F: '/^process_id/{print $2}')
[ -n "$REDIS_PID" ] || { echo "no Redis on 127.0.0.1:6379" >&2; exit 1; }
log "machine: $(nproc) cores, $(uname -sr); redis pid $REDIS_PID ($(redis-cli -h 127.0.0.1 info server | tr -d '\r' | awk -F: '/^redis_version/{print $2}'))"
log "load before: $(uptime); cpu pressure: $(head -1 /proc/pressure/cpu)"

# ---- Switchboard: one worker JVM, keys under a fresh namespace
NS="bench-$$-$RANDOM"
cat > "$OUT/worker.json" <<EOF
{"tasks": {"namespace": "$NS", "concurrency": $SB_CONCURRENCY, "resultTtlMs": 600000}}
EOF
SWITCHBOARD_REDIS_URL=$REDIS_URL SWITCHBOARD_HTTP_PORT=0 SWITCHBOARD_TCP_ECHO_PORT=0 \
  java -Xmx512m -jar "$JAR" worker --config "$OUT/worker.json" > "$OUT/switchboard-worker.log" 2>&1 &
SB_PID=$!; STARTED+=("$SB_PID")
for i in $(seq 300); do grep -q "Switchboard ready" "$OUT/switchboard-worker.log" && break; sleep 0.1; done
log "started switchboard worker pid $SB_PID (namespace $NS, concurrency $SB_CONCURRENCY)"
SERVER_PIDS=$SB_PID AUX_PIDS=$REDIS_PID timeout 400 java -Xmx512m -cp "$JAR" "$ROOT/bench/TaskBench.java" \
  "$REDIS_URL" "$NS" "$TASKS" "$TASK_LAT_N" 2>> "$OUT/switchboard-client.err" | sed 's/^RESULT /RESULT system=switchboard /' >> "$RES"
cleanup
redis-cli -h 127.0.0.1 --scan --pattern "switchboard:$NS:*" | xargs -r -n 500 redis-cli -h 127.0.0.1 del > /dev/null

log "load between: $(uptime); cpu pressure: $(head -1 /proc/pressure/cpu)"

# ---- BullMQ 5 (Node): one worker process, the same concurrency as the Switchboard worker, its own queue name
export NODE_PATH=${NODE_PATH:-$HOME/.cache/switchboard-peers/node_modules}
if [ -d "$NODE_PATH/bullmq" ]; then
  BQ="bullbench-$$-$RANDOM"
  QNAME=$BQ CONC=$SB_CONCURRENCY node "$PEERS/loadgen/bullmq_tasks.js" worker > "$OUT/bullmq-worker.log" 2>&1 &
  BULL_PID=$!; STARTED+=("$BULL_PID")
  for i in $(seq 300); do grep -q "worker ready" "$OUT/bullmq-worker.log" && break; sleep 0.1; done
  log "started bullmq worker pid $BULL_PID (queue $BQ, concurrency $SB_CONCURRENCY)"
  SERVER_PIDS=$BULL_PID AUX_PIDS=$REDIS_PID QNAME=$BQ timeout 400 node "$PEERS/loadgen/bullmq_tasks.js" client "$TASKS" "$TASK_LAT_N" \
    2>> "$OUT/bullmq-client.err" | grep '^RESULT ' >> "$RES"   # its lines already say system=bullmq
  cleanup
  redis-cli -h 127.0.0.1 --scan --pattern "bull:$BQ:*" | xargs -r -n 500 redis-cli -h 127.0.0.1 del > /dev/null
  log "load between: $(uptime); cpu pressure: $(head -1 /proc/pressure/cpu)"
else
  log "bullmq not installed under $NODE_PATH (bash $PEERS/setup.sh installs it): skipped"
fi

# ---- Celery worker, concurrency 2, prefork (as the peers' run_all.sh)
(cd "$PEERS/celery_app" && exec $PY -m celery -A tasks worker --concurrency 2 --pool prefork --loglevel WARNING \
   --without-gossip --without-mingle --without-heartbeat) > "$OUT/celery.log" 2>&1 &
CELERY_PID=$!; STARTED+=("$CELERY_PID")
log "started celery worker pid $CELERY_PID"
SERVER_PIDS=$CELERY_PID AUX_PIDS=$REDIS_PID timeout 400 $PY "$PEERS/loadgen/celery_tasks.py" "$TASKS" "$TASK_LAT_N" \
  2>> "$OUT/celery-client.err" | sed 's/^RESULT /RESULT system=celery /' >> "$RES"
cleanup
log "load after: $(uptime); cpu pressure: $(head -1 /proc/pressure/cpu)"
cat "$RES"

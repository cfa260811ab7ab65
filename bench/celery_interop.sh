#!/bin/bash
# Python Celery client → Switchboard (JVM) worker, beside the same client → Python Celery worker, in one run, on
# one Redis (127.0.0.1:6379), 127.0.0.1 only. The client is the same program (bench/celery_interop/client.py);
# only the queue differs: the JVM worker takes Celery queue "$JVM_Q" (SWITCHBOARD_CELERY_QUEUES), the Python worker
# "$PY_Q".
#   bash bench/celery_interop.sh            (from the repository root, after `mvn -B package`)
# Env: TASKS [5000] noop tasks sent then awaited; GETS [500] sequential add.delay().get();
#      PY_CONCURRENCY [2] prefork processes of the Celery worker; OUT [/tmp/celery-interop-*].
# Stops only the PIDs it started.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY=/usr/bin/python3
export PYTHONDONTWRITEBYTECODE=1
OUT=${OUT:-/tmp/celery-interop-$(date +%Y%m%d-%H%M%S)}
TASKS=${TASKS:-5000}; GETS=${GETS:-500}; PY_CONCURRENCY=${PY_CONCURRENCY:-2}
REDIS_URL=redis://127.0.0.1:6379
JAR="$ROOT/deploy/target/switchboard.jar"
JVM_Q="bench-jvm-$$"; PY_Q="bench-py-$$"
mkdir -p "$OUT"; RES="$OUT/results.txt"; : > "$RES"

. "$ROOT/bench/procs.sh"
log "machine: $(nproc) cores; load before: $(uptime)"

# ---- Switchboard worker taking the Celery queue
NS="bench-$$-$RANDOM"
SWITCHBOARD_REDIS_URL=$REDIS_URL SWITCHBOARD_HTTP_PORT=0 SWITCHBOARD_TCP_ECHO_PORT=0 SWITCHBOARD_TASKS_NAMESPACE=$NS \
  SWITCHBOARD_CELERY_QUEUES=$JVM_Q java -Xmx512m -jar "$JAR" worker > "$OUT/switchboard-worker.log" 2>&1 &
SB_PID=$!; STARTED+=("$SB_PID")
for i in $(seq 600); do grep -q "Switchboard ready" "$OUT/switchboard-worker.log" && break; sleep 0.1; done
log "switchboard worker pid $SB_PID (namespace $NS, Celery queue $JVM_Q)"
timeout 600 $PY "$ROOT/bench/celery_interop/client.py" "$REDIS_URL" "$JVM_Q" "$TASKS" "$GETS" 2>> "$OUT/client.err" \
  | sed 's/^RESULT /RESULT worker=switchboard /' >> "$RES"
cleanup
redis-cli -h 127.0.0.1 --scan --pattern "switchboard:$NS:*" | xargs -r -n 500 redis-cli -h 127.0.0.1 del > /dev/null
log "load between: $(uptime)"

# ---- Python Celery worker on its own queue
(cd "$ROOT/bench/celery_interop" && BENCH_REDIS=$REDIS_URL exec $PY -m celery -A tasks worker -Q "$PY_Q" \
   --concurrency "$PY_CONCURRENCY" --pool prefork --loglevel WARNING --without-gossip --without-mingle --without-heartbeat) \
   > "$OUT/celery.log" 2>&1 &
CELERY_PID=$!; STARTED+=("$CELERY_PID")
for i in $(seq 300); do grep -q "ready" "$OUT/celery.log" 2>/dev/null && break; redis-cli -h 127.0.0.1 exists _kombu.binding.$PY_Q | grep -q 1 && break; sleep 0.1; done
log "celery worker pid $CELERY_PID (queue $PY_Q, concurrency $PY_CONCURRENCY)"
timeout 600 $PY "$ROOT/bench/celery_interop/client.py" "$REDIS_URL" "$PY_Q" "$TASKS" "$GETS" 2>> "$OUT/client.err" \
  | sed 's/^RESULT /RESULT worker=celery /' >> "$RES"
cleanup
log "load after: $(uptime)"
cat "$RES"

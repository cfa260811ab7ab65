#!/bin/bash
# Data-layer benchmark (issue 5), everything on 127.0.0.1, in one run:
#   GET /api/rooms/lobby/messages?limit=20 with wrk -t2 -c64 against
#     1. Switchboard (java -jar, roles gateway + consumers in one JVM: the rooms API is an HTTP consumer the
#        gateway relays over the event bus; pool of 8),
#     2. bench/BareRoomsServer.java: bare Vert.x HTTP + pg client, same query, same JSON (the ceiling),
#     3. the same endpoint as a Django 3.2 async view (psycopg 3 async pool of 8) under Daphne (the peer),
#   on one fresh database of the machine's PostgreSQL seeded with 1000 messages; ROUNDS rounds, interleaved,
#   the load average noted before each measurement.
# Usage: bash bench/data-layer.sh   (needs deploy/target/switchboard.jar, wrk, python3-django, python3-daphne,
#        python3-psycopg, python3-psycopg-pool; PostgreSQL on 127.0.0.1:5432 with trust auth, Redis on 6379)
# Env: ROUNDS [2], SECS [15], CONNS [64], PG_ADMIN [postgresql://postgres@127.0.0.1:5432/test], PORT_BASE [19300]
set -u
HERE=$(cd "$(dirname "$0")" && pwd); ROOT=$(dirname "$HERE")
JAR=$ROOT/deploy/target/switchboard.jar
PY=/usr/bin/python3
ROUNDS=${ROUNDS:-2}; SECS=${SECS:-15}; CONNS=${CONNS:-64}
PG_ADMIN=${PG_ADMIN:-postgresql://postgres@127.0.0.1:5432/test}
B=${PORT_BASE:-19300}; GW=$B; BARE=$((B + 1)); DAPHNE=$((B + 2))
DB=sb_bench_$$; PG_URL=${PG_ADMIN%/*}/$DB
OUT=${OUT:-/tmp/switchboard-data-bench-$(date +%Y%m%d-%H%M%S)}; mkdir -p "$OUT"; RES=$OUT/results.txt; : > "$RES"
STARTED=()
cleanup() {
  local pid; for pid in "${STARTED[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "${STARTED[@]}"; do for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done; kill -KILL "$pid" 2>/dev/null; done
  psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1
}
trap cleanup EXIT; trap 'exit 130' INT TERM
log() { echo "== $(date +%T) $*" >&2; }
wait_log() { local i; for i in $(seq 900); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done; echo "not ready: $1" >&2; tail -20 "$1" >&2; exit 1; }
wait_port() { local i; for i in $(seq 300); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; echo "port $1 never opened" >&2; exit 1; }

[ -f "$JAR" ] || { echo "no $JAR: mvn -B package first" >&2; exit 1; }
psql "$PG_ADMIN" -qc "CREATE DATABASE $DB" || exit 1
log "gateway on :$GW (database $DB)"
SWITCHBOARD_PG_URL=$PG_URL SWITCHBOARD_REDIS_URL=redis://127.0.0.1:6379 SWITCHBOARD_HTTP_PORT=$GW SWITCHBOARD_HTTP_HOST=127.0.0.1 \
  SWITCHBOARD_TCP_ECHO_PORT=0 java -Xmx512m -jar "$JAR" gateway consumers > "$OUT/gateway.log" 2>&1 & STARTED+=($!)
wait_log "$OUT/gateway.log" "Switchboard ready"
psql "$PG_URL" -qc "INSERT INTO chat_messages (room, username, message, ts)
  SELECT 'lobby', 'user' || (i % 17), 'message number ' || i || ' with some text to make it look like chat', now()
  FROM generate_series(1, 1000) i; ANALYZE chat_messages;" || exit 1
log "bare Vert.x rooms server on :$BARE"
java -Xmx512m -cp "$JAR" "$HERE/BareRoomsServer.java" "$BARE" "$PG_URL" > "$OUT/bare.log" 2>&1 & STARTED+=($!)
wait_log "$OUT/bare.log" "ready"
log "Daphne + Django async view on :$DAPHNE"
(cd "$HERE/django_rooms" && ROOMS_PG_DSN=$PG_URL exec $PY -m daphne -b 127.0.0.1 -p "$DAPHNE" roomsproj.asgi:application) \
  > "$OUT/daphne.log" 2>&1 & STARTED+=($!)
wait_port "$DAPHNE"

PATH_Q="/api/rooms/lobby/messages?limit=20"
for target in "gateway $GW" "bare $BARE" "django $DAPHNE"; do
  set -- $target
  body=$(curl -s "http://127.0.0.1:$2$PATH_Q")
  n=$(echo "$body" | $PY -c "import json,sys; d=json.load(sys.stdin); print(len(d['messages']), d['messages'][-1]['message'], d['next'] is not None)")
  echo "CHECK $1 $n" | tee -a "$RES"
  wrk -t2 -c"$CONNS" -d3s "http://127.0.0.1:$2$PATH_Q" > /dev/null   # warm-up (JIT, pools, prepared statements)
done
for round in $(seq "$ROUNDS"); do
  for target in "gateway $GW" "bare $BARE" "django $DAPHNE"; do
    set -- $target
    echo "LOAD round=$round target=$1 $(uptime | sed 's/.*load average/load average/')" >> "$RES"
    wrk -t2 -c"$CONNS" -d"${SECS}s" --latency "http://127.0.0.1:$2$PATH_Q" > "$OUT/wrk-$1-$round.txt" 2>&1
    rps=$(awk '/Requests\/sec/{print $2}' "$OUT/wrk-$1-$round.txt")
    p50=$(awk '$1=="50%"{print $2}' "$OUT/wrk-$1-$round.txt"); p99=$(awk '$1=="99%"{print $2}' "$OUT/wrk-$1-$round.txt")
    errs=$(grep -E "Non-2xx|Socket errors" "$OUT/wrk-$1-$round.txt" | tr '\n' ' ')
    echo "RESULT round=$round target=$1 rps=$rps p50=$p50 p99=$p99 $errs" | tee -a "$RES"
  done
done
log "results in $RES"
cat "$RES"

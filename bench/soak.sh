#!/usr/bin/env bash
# Soak: one Switchboard node (all roles) from the jar under a steady churn of chat sockets opening and closing,
# group sends and tasks, for DURATION seconds (default 600). Every INTERVAL seconds (default 60) it forces a
# full GC and records the heap used after it (jcmd GC.heap_info), the live objects of the top classes
# (GC.class_histogram), and the open file descriptors (/proc/PID/fd). Both should stay flat.
#
#   bench/soak.sh                      # 10 minutes, as recorded in bench/RESULTS.md (the lead runs it alone)
#   DURATION=30 INTERVAL=10 bench/soak.sh   # a smoke run
#
# Needs Redis and PostgreSQL: SWITCHBOARD_REDIS_URL / SWITCHBOARD_PG_URL (default: the machine's on the usual
# ports, database test) and the built jar (mvn -B -q package -DskipTests).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-600}
INTERVAL=${INTERVAL:-60}
SOCKETS_PER_SECOND=${SOCKETS_PER_SECOND:-20}
POOL=${POOL:-500}
TASKS_PER_SECOND=${TASKS_PER_SECOND:-10}
JAR=deploy/target/switchboard.jar
OUT=${OUT:-bench/raw/soak-$(date -u +%Y%m%dT%H%M%S)}
mkdir -p "$OUT"
[ -f "$JAR" ] || { echo "build the jar first: mvn -B -q package -DskipTests" >&2; exit 1; }

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
SWITCHBOARD_HTTP_PORT=$PORT SWITCHBOARD_TCP_ECHO_PORT=0 \
SWITCHBOARD_REDIS_URL=${SWITCHBOARD_REDIS_URL:-redis://127.0.0.1:6379} \
SWITCHBOARD_PG_URL=${SWITCHBOARD_PG_URL:-postgresql://postgres@127.0.0.1:5432/test} \
SWITCHBOARD_TASKS_NAMESPACE=soak-$$ \
  java -Xmx512m -jar "$JAR" all > "$OUT/node.log" 2>&1 &
NODE=$!
LOAD=
cleanup() {
  [ -n "$LOAD" ] && kill "$LOAD" 2>/dev/null || true
  kill "$NODE" 2>/dev/null || true
  wait "$NODE" 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 1 120); do
  grep -q "Switchboard ready" "$OUT/node.log" && break
  kill -0 "$NODE" 2>/dev/null || { echo "node died:" >&2; tail -20 "$OUT/node.log" >&2; exit 1; }
  sleep 1
done
grep -q "Switchboard ready" "$OUT/node.log" || { echo "node not ready after 120 s" >&2; exit 1; }

sample() {  # minute label: heap after a full GC (KB), live bytes of the top 3 classes, open fds, threads
  jcmd "$NODE" GC.run > /dev/null
  local used fds threads top
  # every generation's "total ..., used NK" line (G1 has one, Serial two); not Metaspace's
  used=$(jcmd "$NODE" GC.heap_info | grep ' total ' | grep -oE 'used [0-9]+K' | grep -oE '[0-9]+' | awk '{s += $1} END {print s}')
  fds=$(ls /proc/"$NODE"/fd | wc -l)
  threads=$(ls /proc/"$NODE"/task | wc -l)
  top=$(jcmd "$NODE" GC.class_histogram | awk 'NR>3 && NR<=6 {printf "%s:%dK ", $4, $3/1024}')
  printf '%-8s %12s %8s %8s  %s\n' "$1" "$used" "$fds" "$threads" "$top" | tee -a "$OUT/samples.txt"
}

printf '%-8s %12s %8s %8s  %s\n' "t" "heap_used_K" "fds" "threads" "top classes (live)" | tee "$OUT/samples.txt"
sample "start"
java bench/SoakLoad.java "http://127.0.0.1:$PORT" "$DURATION" "$SOCKETS_PER_SECOND" "$POOL" "$TASKS_PER_SECOND" > "$OUT/load.log" 2>&1 &
LOAD=$!
elapsed=0
while kill -0 "$LOAD" 2>/dev/null && [ "$elapsed" -lt "$DURATION" ]; do
  sleep "$INTERVAL"   # sampling period of a benchmark, not a synchronisation
  elapsed=$((elapsed + INTERVAL))
  sample "${elapsed}s"
done
wait "$LOAD" || true
LOAD=
sample "end"
tail -1 "$OUT/load.log"
echo "raw output in $OUT"

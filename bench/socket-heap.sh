#!/bin/bash
# Heap per idle WebSocket on one gateway JVM (-Xmx512m) whose consumers run in a second JVM, beside the bare Vert.x
# server (bench/BareWsServer.java) holding the same sockets, in one run. For each server: heap after a full GC with
# no socket, then with N sockets held open by bench/LoadGen.java (idle scenario: each socket echoes once at the end,
# so every one is still alive), per socket = difference / N; the class histogram with the sockets open is saved.
# Usage: bash bench/socket-heap.sh [N=1000]        (after mvn -B package; the lead runs N=15000)
# Env: HOLD [30] (seconds the sockets stay open: enough for the two GCs and the histogram), PORT_BASE [19500],
#   LOCAL_ADDRS [127.0.0.1 for N <= 20000, else 127.0.0.1,127.0.0.2,...]: source addresses for the client sockets,
#   TARGETS ["gateway bare"], OUT [bench/out/socket-heap-<time>].
# This machine allows 20,000 open files per process: 15,000 sockets fit on one gateway JVM and one generator.
set -u
HERE=$(cd "$(dirname "$0")" && pwd); ROOT=$(dirname "$HERE")
N=${1:-1000}; HOLD=${HOLD:-30}; B=${PORT_BASE:-19500}; TARGETS=${TARGETS:-gateway bare}
JAR=$ROOT/deploy/target/switchboard.jar
OUT=${OUT:-$ROOT/bench/out/socket-heap-$(date +%Y%m%d-%H%M%S)}; mkdir -p "$OUT"; RES=$OUT/results.txt; : > "$RES"
LOCAL_ADDRS=${LOCAL_ADDRS:-$( [ "$N" -le 20000 ] && echo 127.0.0.1 || echo 127.0.0.1,127.0.0.2,127.0.0.3,127.0.0.4)}
ulimit -n "$(ulimit -Hn)" 2>/dev/null
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port_open 6379 && export SWITCHBOARD_REDIS_URL=${SWITCHBOARD_REDIS_URL:-redis://127.0.0.1:6379}
port_open 5432 && export SWITCHBOARD_PG_URL=${SWITCHBOARD_PG_URL:-postgresql://postgres@127.0.0.1:5432/test}
# all sockets come from one address: lift the per-IP limits (they are not what this measures)
export SWITCHBOARD_LIMITS_CONNECTIONS_PER_SECOND=1000000 SWITCHBOARD_LIMITS_CONNECTION_BURST=1000000 \
  SWITCHBOARD_LIMITS_MAX_CONNECTIONS_PER_IP=10000000

STARTED=()
stop_pid() { local pid=$1 i; kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 150); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done; kill -KILL "$pid" 2>/dev/null; }
cleanup() { local i; for ((i=${#STARTED[@]}-1; i>=0; i--)); do stop_pid "${STARTED[$i]}"; done; STARTED=(); }
trap cleanup EXIT
trap 'exit 130' INT TERM
log() { echo "== $(date +%T) $*" >&2; }
wait_log() { local i; for i in $(seq 900); do grep -q "$2" "$1" 2>/dev/null && return 0; kill -0 "$3" 2>/dev/null || break; sleep 0.1; done
  echo "not ready: $1 (want '$2')" >&2; tail -20 "$1" >&2; exit 1; }
heap_used_kb() {  # full GC, then the used heap in KB (jcmd GC.heap_info: "... used NNNK" on the heap's total line)
  jcmd "$1" GC.run > /dev/null 2>&1; jcmd "$1" GC.run > /dev/null 2>&1
  jcmd "$1" GC.heap_info 2>/dev/null | grep -m1 -o 'used [0-9]*K' | grep -o '[0-9]*'
}
[ -f "$JAR" ] || { echo "no $JAR: run mvn -B package first" >&2; exit 1; }
echo "MACHINE $(nproc) cores, $(java -version 2>&1 | head -1), N=$N, GIT $(git -C "$ROOT" rev-parse --short HEAD)" >> "$RES"

measure() {  # measure NAME PID URL
  local name=$1 pid=$2 url=$3 base with gen
  base=$(heap_used_kb "$pid")
  log "$name: heap with no socket ${base} KB; opening $N sockets"
  java -Xmx1g -cp "$JAR" "$HERE/LoadGen.java" idle --url "$url" --conns "$N" --hold "$HOLD" --parallel 128 \
      --local-addrs "$LOCAL_ADDRS" --deadline $((HOLD + 300)) > "$OUT/gen-$name.txt" 2> "$OUT/gen-$name.err" &
  gen=$!; STARTED+=($gen)
  wait_log "$OUT/gen-$name.txt" HOLDING $gen
  with=$(heap_used_kb "$pid")
  jcmd "$pid" GC.class_histogram 2>/dev/null | head -40 > "$OUT/histogram-$name.txt"
  wait $gen
  grep RESULT "$OUT/gen-$name.txt" >> "$RES"
  awk -v n="$name" -v b="$base" -v w="$with" -v N="$N" 'BEGIN { printf "HEAP target=%s sockets=%d base_kb=%d with_kb=%d per_socket_bytes=%.0f\n", n, N, b, w, (w - b) * 1024 / N }' | tee -a "$RES"
}

for t in $TARGETS; do
  case $t in
    gateway)
      export SWITCHBOARD_CLUSTER_NAME=heap-$$-$RANDOM SWITCHBOARD_CLUSTER_MEMBERS=127.0.0.1 SWITCHBOARD_CLUSTER_PORT=$((B - 3000))
      SWITCHBOARD_HTTP_PORT=$((B + 1)) java -Xmx512m -Dhazelcast.wait.seconds.before.join=0 -jar "$JAR" consumers --cluster > "$OUT/consumers.log" 2>&1 &
      CONS=$!; STARTED+=($CONS); wait_log "$OUT/consumers.log" "Switchboard ready" $CONS
      SWITCHBOARD_HTTP_PORT=$B SWITCHBOARD_TCP_ECHO_PORT=0 java -Xmx512m -Dhazelcast.wait.seconds.before.join=0 -jar "$JAR" gateway --cluster > "$OUT/gateway.log" 2>&1 &
      GW=$!; STARTED+=($GW); wait_log "$OUT/gateway.log" "Switchboard ready" $GW
      unset SWITCHBOARD_CLUSTER_NAME SWITCHBOARD_CLUSTER_MEMBERS SWITCHBOARD_CLUSTER_PORT
      measure gateway $GW "ws://127.0.0.1:$B/ws/echo"
      stop_pid $GW; stop_pid $CONS ;;
    bare)
      java -Xmx512m -cp "$JAR" "$HERE/BareWsServer.java" $((B + 2)) > "$OUT/bare.log" 2>&1 &
      BARE=$!; STARTED+=($BARE); wait_log "$OUT/bare.log" "bare ws server" $BARE
      measure bare $BARE "ws://127.0.0.1:$((B + 2))/ws/echo"
      stop_pid $BARE ;;
  esac
done
cleanup
log "results: $RES (class histograms beside it)"
cat "$RES"

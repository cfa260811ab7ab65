#!/bin/bash
# Heap per idle WebSocket (issue 12: <= 4 KB at 15,000 sockets on one gateway JVM with -Xmx512m, each still echoing),
# for the Switchboard gateway (consumers in a second JVM) and, in the same run, the bare Vert.x server
# (bench/BareWsServer.java) with Vert.x's defaults and with strict thread mode (what the gateway uses).
# For each target: a warm-up of 100 sockets (opened and closed), then the heap after a full GC and a class histogram
# with no socket; then N sockets held open by GENERATORS bench/LoadGen.java processes, each from its own source
# address (127.0.0.2, 127.0.0.3, ...: more client ports, and each process stays under the 20,000 open files this
# machine allows); the heap and the class histogram again; then every socket sends one message and must get its
# echo back (echoing=N). Per socket = (heap with - heap without) / N; breakdown-<target>.txt lists the classes whose
# instances grew, in bytes and instances per socket. Also the server's fds and RSS, and the kernel's TCP memory.
# Heap after a full GC is a memory figure: valid on a loaded machine too (the time to connect is not).
# Usage: bash bench/socket-heap.sh [N=15000]        (after mvn -B package; a smoke run: N=300)
# Env: TARGETS ["gateway bare bare-strict"], GENERATORS [one per 5,000 sockets], PORT_BASE [19500],
#   HOLD_MAX [900] (seconds a generator holds at most), OUT [bench/out/socket-heap-<time>].
set -u
HERE=$(cd "$(dirname "$0")" && pwd); ROOT=$(dirname "$HERE")
N=${1:-15000}; B=${PORT_BASE:-19500}; TARGETS=${TARGETS:-gateway bare bare-strict}; HOLD_MAX=${HOLD_MAX:-900}
GENERATORS=${GENERATORS:-$(( (N + 4999) / 5000 ))}
JAR=$ROOT/deploy/target/switchboard.jar
OUT=${OUT:-$ROOT/bench/out/socket-heap-$(date +%Y%m%d-%H%M%S)}; mkdir -p "$OUT"; RES=$OUT/results.txt; : > "$RES"
ulimit -n "$(ulimit -Hn)" 2>/dev/null
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port_open 6379 && export SWITCHBOARD_REDIS_URL=${SWITCHBOARD_REDIS_URL:-redis://127.0.0.1:6379}
port_open 5432 && export SWITCHBOARD_PG_URL=${SWITCHBOARD_PG_URL:-postgresql://postgres@127.0.0.1:5432/test}
# the per-IP limits are not what this measures
export SWITCHBOARD_LIMITS_CONNECTIONS_PER_SECOND=1000000 SWITCHBOARD_LIMITS_CONNECTION_BURST=1000000 \
  SWITCHBOARD_LIMITS_MAX_CONNECTIONS_PER_IP=10000000

STARTED=()
stop_pid() { local pid=$1 i; kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 150); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done; kill -KILL "$pid" 2>/dev/null; }
cleanup() { local i; for ((i=${#STARTED[@]}-1; i>=0; i--)); do stop_pid "${STARTED[$i]}"; done; STARTED=(); }
trap cleanup EXIT
trap 'exit 130' INT TERM
log() { echo "== $(date +%T) $*" >&2; }
wait_log() { local i; for i in $(seq 3000); do grep -q "$2" "$1" 2>/dev/null && return 0; kill -0 "$3" 2>/dev/null || break; sleep 0.2; done
  echo "not ready: $1 (want '$2')" >&2; tail -20 "$1" >&2; return 1; }
heap_used_kb() {  # full GC, then the used heap in KB (jcmd GC.heap_info: "... used NNNK" on the heap's total line)
  jcmd "$1" GC.run > /dev/null 2>&1; jcmd "$1" GC.run > /dev/null 2>&1
  jcmd "$1" GC.heap_info 2>/dev/null | grep -m1 -o 'used [0-9]*K' | grep -o '[0-9]*'
}
tcp_mem_pages() { awk '/^TCP:/ { for (i = 1; i < NF; i++) if ($i == "mem") print $(i + 1) }' /proc/net/sockstat; }
[ -f "$JAR" ] || { echo "no $JAR: run mvn -B package first" >&2; exit 1; }
echo "MACHINE $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(java -version 2>&1 | head -1), N=$N," \
  "GENERATORS=$GENERATORS, GIT $(git -C "$ROOT" rev-parse --short HEAD)" >> "$RES"

# breakdown HIST0 HIST1 N: the classes that grew, per socket (jcmd GC.class_histogram: "num: instances bytes class")
breakdown() {
  awk -v N="$3" 'FNR == NR { if ($1 ~ /^[0-9]+:$/) { b[$4] = $3; bi[$4] = $2 } next }
    $1 ~ /^[0-9]+:$/ { d = $3 - b[$4]; t += d; if (d >= N * 8) printf "%9.1f B %6.2f instances per socket  %s\n", d / N, ($2 - bi[$4]) / N, $4 }
    END { printf "%9.1f B per socket in all (histogram difference)\n", t / N }' "$1" "$2" | sort -rn
}

measure() {  # measure NAME PID URL
  local name=$1 pid=$2 url=$3 base with i gens=() per sum=0 echoed=0 mem0 mem1
  java -Xmx256m -cp "$JAR" "$HERE/LoadGen.java" idle --url "$url" --conns 100 --hold 1 > "$OUT/warmup-$name.txt" 2>&1
  base=$(heap_used_kb "$pid"); jcmd "$pid" GC.class_histogram > "$OUT/histogram0-$name.txt" 2>/dev/null
  mem0=$(tcp_mem_pages)
  log "$name: heap with no socket ${base} KB; opening $N sockets from $GENERATORS generators"
  rm -f "$OUT/release-$name"
  for ((i = 0; i < GENERATORS; i++)); do
    per=$(( N / GENERATORS + (i < N % GENERATORS ? 1 : 0) ))
    java -Xmx1g -cp "$JAR" "$HERE/LoadGen.java" idle --url "$url" --conns "$per" --parallel 64 \
        --local-addrs "127.0.0.$((i + 2))" --hold "$HOLD_MAX" --release-file "$OUT/release-$name" \
        --deadline $((HOLD_MAX + 300)) > "$OUT/gen-$name-$i.txt" 2> "$OUT/gen-$name-$i.err" &
    gens+=($!); STARTED+=($!)
  done
  for ((i = 0; i < GENERATORS; i++)); do wait_log "$OUT/gen-$name-$i.txt" HOLDING "${gens[$i]}" || break; done
  with=$(heap_used_kb "$pid"); mem1=$(tcp_mem_pages)
  jcmd "$pid" GC.class_histogram > "$OUT/histogram-$name.txt" 2>/dev/null
  echo "SERVER target=$name fds=$(ls /proc/"$pid"/fd | wc -l) rss_kb=$(awk '/VmRSS/ { print $2 }' /proc/"$pid"/status)" \
    "tcp_mem_pages_before=$mem0 tcp_mem_pages_with=$mem1" | tee -a "$RES"
  touch "$OUT/release-$name"
  for ((i = 0; i < GENERATORS; i++)); do
    wait "${gens[$i]}"
    grep RESULT "$OUT/gen-$name-$i.txt" >> "$RES"
    sum=$((sum + $(grep -o 'conns=[0-9]*' "$OUT/gen-$name-$i.txt" | tail -1 | cut -d= -f2)))
    echoed=$((echoed + $(grep -o 'echoing_after_hold=[0-9]*' "$OUT/gen-$name-$i.txt" | cut -d= -f2)))
  done
  breakdown "$OUT/histogram0-$name.txt" "$OUT/histogram-$name.txt" "$N" > "$OUT/breakdown-$name.txt"
  awk -v n="$name" -v b="$base" -v w="$with" -v N="$N" -v s="$sum" -v e="$echoed" 'BEGIN {
    printf "HEAP target=%s sockets=%d held=%d echoing=%d base_kb=%d with_kb=%d per_socket_bytes=%.0f\n", n, N, s, e, b, w, (w - b) * 1024 / N }' | tee -a "$RES"
  head -16 "$OUT/breakdown-$name.txt" | sed "s/^/  $name /" >> "$RES"
}

for t in $TARGETS; do
  case $t in
    gateway)
      export SWITCHBOARD_CLUSTER_NAME=heap-$$-$RANDOM SWITCHBOARD_CLUSTER_MEMBERS=127.0.0.1 SWITCHBOARD_CLUSTER_PORT=$((B - 3000))
      SWITCHBOARD_HTTP_PORT=$((B + 1)) java -Xmx512m -Dhazelcast.wait.seconds.before.join=0 -jar "$JAR" consumers --cluster > "$OUT/consumers.log" 2>&1 &
      CONS=$!; STARTED+=($CONS); wait_log "$OUT/consumers.log" "Switchboard ready" $CONS || exit 1
      SWITCHBOARD_HTTP_PORT=$B SWITCHBOARD_TCP_ECHO_PORT=0 java -Xmx512m -Dhazelcast.wait.seconds.before.join=0 -jar "$JAR" gateway --cluster > "$OUT/gateway.log" 2>&1 &
      GW=$!; STARTED+=($GW); wait_log "$OUT/gateway.log" "Switchboard ready" $GW || exit 1
      unset SWITCHBOARD_CLUSTER_NAME SWITCHBOARD_CLUSTER_MEMBERS SWITCHBOARD_CLUSTER_PORT
      measure gateway $GW "ws://127.0.0.1:$B/ws/echo"
      stop_pid $GW; stop_pid $CONS ;;
    bare|bare-strict)
      java -Xmx512m -Dstrict=$([ $t = bare-strict ] && echo true || echo false) -cp "$JAR" "$HERE/BareWsServer.java" $((B + 2)) > "$OUT/$t.log" 2>&1 &
      BARE=$!; STARTED+=($BARE); wait_log "$OUT/$t.log" "bare ws server" $BARE || exit 1
      measure $t $BARE "ws://127.0.0.1:$((B + 2))/ws/echo"
      stop_pid $BARE ;;
  esac
done
cleanup
log "results: $RES (class histograms and per-socket breakdowns beside it)"
cat "$RES"

#!/bin/bash
# The Vert.x load generator (bench/LoadGen.java) against every server in ONE run, the trivial Vert.x server first
# (bench/BareWsServer.java: the generator's own ceiling), then Switchboard in one JVM, Switchboard as gateway +
# consumers JVMs (fan-out: two gateways + consumers), and Daphne + Channels (+ channels_redis) from the peers.
# Usage: bash bench/loadgen.sh        (after mvn -B package; the peers need bash /work/shared/peers/setup.sh)
# Env: SCENARIOS ["echo fanout connect idle"], TARGETS ["bare one-jvm two-jvm daphne"], WARMUP [5], DURATION [15],
#   ECHO_CONNS [50], INFLIGHT [1 4] (each value is one echo run), FANOUT_SUBS [1000], FANOUT_RATE [20] (paced run),
#   FANOUT_BURST [100] (burst run: that many msgs every FANOUT_INTERVAL_MS [1000]), CONNECT_CONNS [1000],
#   CONNECT_PARALLEL [64], IDLE_CONNS [1000], IDLE_HOLD [15], PORT_BASE [19000], OUT [bench/out/loadgen-<time>],
#   SWITCHBOARD_REDIS_URL / SWITCHBOARD_PG_URL [127.0.0.1:6379 / :5432 database test when they listen].
# Smoke test (seconds, tiny counts): WARMUP=1 DURATION=2 ECHO_CONNS=5 INFLIGHT=1 FANOUT_SUBS=20 CONNECT_CONNS=50 \
#   IDLE_CONNS=50 IDLE_HOLD=1 bash bench/loadgen.sh
# Every process it starts is stopped on exit; each generator run is bounded by `timeout`.
set -u
HERE=$(cd "$(dirname "$0")" && pwd); ROOT=$(dirname "$HERE")
PEERS=${PEERS:-$( [ -d /work/shared/peers ] && echo /work/shared/peers || echo "$ROOT/../shared/peers")}
PY=/usr/bin/python3; JAR=$ROOT/deploy/target/switchboard.jar
OUT=${OUT:-$ROOT/bench/out/loadgen-$(date +%Y%m%d-%H%M%S)}; mkdir -p "$OUT"; RES=$OUT/results.txt; : > "$RES"
SCENARIOS=${SCENARIOS:-echo fanout connect idle}; TARGETS=${TARGETS:-bare one-jvm two-jvm daphne}
WARMUP=${WARMUP:-5}; DURATION=${DURATION:-15}; ECHO_CONNS=${ECHO_CONNS:-50}; INFLIGHT=${INFLIGHT:-1 4}
FANOUT_SUBS=${FANOUT_SUBS:-1000}; FANOUT_RATE=${FANOUT_RATE:-20}; FANOUT_BURST=${FANOUT_BURST:-100}
FANOUT_INTERVAL_MS=${FANOUT_INTERVAL_MS:-1000}; CONNECT_CONNS=${CONNECT_CONNS:-1000}; CONNECT_PARALLEL=${CONNECT_PARALLEL:-64}
IDLE_CONNS=${IDLE_CONNS:-1000}; IDLE_HOLD=${IDLE_HOLD:-15}
B=${PORT_BASE:-19000}; BARE=$((B + 1)); ALL=$((B + 2)); GWA=$((B + 3)); GWB=$((B + 4)); CONS=$((B + 5)); DAPHNE=$((B + 6))
HZ_PORT=$((B - 3200)); CLUSTER=loadgen-$$-$RANDOM
JAVA_OPTS=(-Xmx512m -Dhazelcast.wait.seconds.before.join=0 -Dhazelcast.logging.type=slf4j)
ulimit -n "$(ulimit -Hn)" 2>/dev/null
# Switchboard's nodes share this machine's Redis and PostgreSQL when they listen (embedded ones otherwise)
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port_open 6379 && export SWITCHBOARD_REDIS_URL=${SWITCHBOARD_REDIS_URL:-redis://127.0.0.1:6379}
port_open 5432 && export SWITCHBOARD_PG_URL=${SWITCHBOARD_PG_URL:-postgresql://postgres@127.0.0.1:5432/test}
# The per-IP limits (200 new connections/s, 2000 open by default) guard a public gateway; every generator socket
# comes from 127.0.0.1, so they are lifted here, or the connect storm would measure the rate limit.
export SWITCHBOARD_LIMITS_CONNECTIONS_PER_SECOND=${SWITCHBOARD_LIMITS_CONNECTIONS_PER_SECOND:-1000000}
export SWITCHBOARD_LIMITS_CONNECTION_BURST=${SWITCHBOARD_LIMITS_CONNECTION_BURST:-1000000}
export SWITCHBOARD_LIMITS_MAX_CONNECTIONS_PER_IP=${SWITCHBOARD_LIMITS_MAX_CONNECTIONS_PER_IP:-10000000}

STARTED=()
stop_pid() { local pid=$1 i; kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 150); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done; kill -KILL "$pid" 2>/dev/null; }
cleanup() { local i; for ((i=${#STARTED[@]}-1; i>=0; i--)); do stop_pid "${STARTED[$i]}"; done; STARTED=(); }
trap cleanup EXIT
trap 'exit 130' INT TERM
log() { echo "== $(date +%T) $*" >&2; }
wait_log() { local i; for i in $(seq 900); do grep -q "$2" "$1" 2>/dev/null && return 0; kill -0 "$3" 2>/dev/null || break; sleep 0.1; done
  echo "not ready: $1 (want '$2')" >&2; tail -20 "$1" >&2; exit 1; }
want() { [[ " $TARGETS " == *" $1 "* ]]; }

[ -f "$JAR" ] || { echo "no $JAR: run mvn -B package first" >&2; exit 1; }
for p in $BARE $ALL $GWA $GWB $CONS $DAPHNE; do port_open "$p" && { echo "port $p busy (set PORT_BASE)" >&2; exit 1; }; done
{ echo "MACHINE $(nproc) cores, kernel $(uname -r), $(java -version 2>&1 | head -1)"
  echo "GIT $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet || echo '+dirty')"
  echo "LOAD start $(cut -d' ' -f1-3 /proc/loadavg)"; } >> "$RES"
log "output in $OUT"

# ---- servers
declare -A PID URL_ECHO URL_ROOM
if want bare; then
  java -Xmx512m -cp "$JAR" "$HERE/BareWsServer.java" $BARE > "$OUT/bare.log" 2>&1 & PID[bare]=$!; STARTED+=($!)
  URL_ECHO[bare]=ws://127.0.0.1:$BARE/ws/echo; URL_ROOM[bare]=ws://127.0.0.1:$BARE/ws/rooms/lg
fi
if want one-jvm; then
  SWITCHBOARD_HTTP_PORT=$ALL SWITCHBOARD_TCP_ECHO_PORT=0 java "${JAVA_OPTS[@]}" -jar "$JAR" all > "$OUT/all.log" 2>&1 &
  PID[one-jvm]=$!; STARTED+=($!)
  URL_ECHO[one-jvm]=ws://127.0.0.1:$ALL/ws/echo; URL_ROOM[one-jvm]=ws://127.0.0.1:$ALL/ws/rooms/lg
fi
if want two-jvm; then
  export SWITCHBOARD_CLUSTER_NAME=$CLUSTER SWITCHBOARD_CLUSTER_MEMBERS=127.0.0.1 SWITCHBOARD_CLUSTER_PORT=$HZ_PORT
  SWITCHBOARD_HTTP_PORT=$CONS java "${JAVA_OPTS[@]}" -jar "$JAR" consumers --cluster > "$OUT/consumers.log" 2>&1 &
  CONS_PID=$!; STARTED+=($!)
  wait_log "$OUT/consumers.log" "Switchboard ready" $CONS_PID
  SWITCHBOARD_HTTP_PORT=$GWA SWITCHBOARD_TCP_ECHO_PORT=0 java "${JAVA_OPTS[@]}" -jar "$JAR" gateway --cluster > "$OUT/gateway-a.log" 2>&1 &
  GWA_PID=$!; STARTED+=($!)
  SWITCHBOARD_HTTP_PORT=$GWB SWITCHBOARD_TCP_ECHO_PORT=0 java "${JAVA_OPTS[@]}" -jar "$JAR" gateway --cluster > "$OUT/gateway-b.log" 2>&1 &
  GWB_PID=$!; STARTED+=($!)
  unset SWITCHBOARD_CLUSTER_NAME SWITCHBOARD_CLUSTER_MEMBERS SWITCHBOARD_CLUSTER_PORT
  wait_log "$OUT/gateway-a.log" "Switchboard ready" $GWA_PID; wait_log "$OUT/gateway-b.log" "Switchboard ready" $GWB_PID
  PID[two-jvm]=$GWA_PID,$GWB_PID,$CONS_PID
  URL_ECHO[two-jvm]=ws://127.0.0.1:$GWA/ws/echo
  URL_ROOM[two-jvm]=ws://127.0.0.1:$GWA/ws/rooms/lg,ws://127.0.0.1:$GWB/ws/rooms/lg   # subscribers on both gateways
fi
if want daphne; then
  $PY -c "import daphne, channels, channels_redis" 2>/dev/null || { echo "peers missing: bash $PEERS/setup.sh" >&2; exit 1; }
  port_open 6379 || { echo "Daphne's channel layer needs Redis on 127.0.0.1:6379" >&2; exit 1; }
  (cd "$PEERS/django_channels" && exec $PY -m daphne -v 0 -b 127.0.0.1 -p $DAPHNE peerproj.asgi:application) > "$OUT/daphne.log" 2>&1 &
  PID[daphne]=$!; STARTED+=($!)
  URL_ECHO[daphne]=ws://127.0.0.1:$DAPHNE/ws/echo/; URL_ROOM[daphne]=ws://127.0.0.1:$DAPHNE/ws/room/lg/
fi
want bare && wait_log "$OUT/bare.log" "bare ws server" ${PID[bare]}
want one-jvm && wait_log "$OUT/all.log" "Switchboard ready" ${PID[one-jvm]}
want daphne && { for i in $(seq 300); do port_open $DAPHNE && break; sleep 0.1; done; }
echo "PIDS $(for t in $TARGETS; do printf '%s=%s ' "$t" "${PID[$t]}"; done)" >> "$RES"

gen() {  # gen TARGET SCENARIO ARGS...: one RESULT line, tagged with the target, into results.txt
  local t=$1 s=$2; shift 2
  log "$t $s $*"
  SERVER_PIDS=${PID[$t]} timeout $((WARMUP + DURATION + IDLE_HOLD + 180)) java -Xmx1g -cp "$JAR" "$HERE/LoadGen.java" "$s" \
      --warmup "$WARMUP" --duration "$DURATION" "$@" 2>> "$OUT/loadgen.err" | grep '^RESULT' | sed "s/^RESULT /RESULT target=$t /" | tee -a "$RES"
}

for s in $SCENARIOS; do
  echo "LOAD $s $(cut -d' ' -f1-3 /proc/loadavg)" >> "$RES"
  for t in $TARGETS; do
    case $s in
      echo)    for k in $INFLIGHT; do gen "$t" echo --url "${URL_ECHO[$t]}" --conns "$ECHO_CONNS" --inflight "$k"; done ;;
      fanout)  gen "$t" fanout --url "${URL_ROOM[$t]}" --subs "$FANOUT_SUBS" --rate "$FANOUT_RATE"
               gen "$t" fanout --url "${URL_ROOM[$t]}" --subs "$FANOUT_SUBS" --burst "$FANOUT_BURST" --interval-ms "$FANOUT_INTERVAL_MS" ;;
      connect) gen "$t" connect --url "${URL_ECHO[$t]}" --conns "$CONNECT_CONNS" --parallel "$CONNECT_PARALLEL" ;;
      idle)    gen "$t" idle --url "${URL_ECHO[$t]}" --conns "$IDLE_CONNS" --hold "$IDLE_HOLD" ;;
      *) echo "unknown scenario $s" >&2 ;;
    esac
  done
done
echo "LOAD end $(cut -d' ' -f1-3 /proc/loadavg)" >> "$RES"
cleanup
log "results: $RES (the 'bare' lines are the generator's ceiling in this run)"

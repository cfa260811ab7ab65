#!/bin/bash
# Switchboard benchmark (issue 2), everything on 127.0.0.1, peers in the same run.
#   HTTP: wrk -t2 -c64 against the gateway's GET /api/ping and against bench/BareHttpServer.java (same bytes),
#         and Daphne's GET /hello for scale.
#   WS echo 50 conns x 200 msgs, Java (WsBench.java) and Python (ws_bench.py + uvloop) clients, against
#         Switchboard in one JVM, Switchboard across two clustered JVMs (gateway + consumers), Daphne + Channels, and
#         the peers' Node calibration echo server (the load clients' own ceiling, in the same run).
# Usage: bash bench/run.sh        (from anywhere; needs deploy/target/switchboard.jar and bash ../shared/peers/setup.sh)
# Env: ROUNDS [3] (the measured HTTP and WS rounds), HTTP_SECS [15], HTTP_CONNS [64], ECHO_CONNS [50], ECHO_MSGS [200],
#      WARM_MSGS [2000] (unmeasured WS warm-up msgs/conn per Switchboard target), HTTP_DAPHNE [1], WS [1] (0 = HTTP only), BUILD [0] (1 = mvn package
#      first), PORT_BASE [18000], PEERS [/work/shared/peers or ../shared/peers], OUT [/tmp/switchboard-bench-*].
# Every process it starts is stopped on exit (TERM, then KILL after 15 s); each client runs under `timeout`.
set -u
HERE=$(cd "$(dirname "$0")" && pwd); ROOT=$(dirname "$HERE")
PEERS=${PEERS:-$( [ -d /work/shared/peers ] && echo /work/shared/peers || echo "$ROOT/../shared/peers")}
PY=/usr/bin/python3; export PYTHONDONTWRITEBYTECODE=1
JAR=$ROOT/deploy/target/switchboard.jar
OUT=${OUT:-/tmp/switchboard-bench-$(date +%Y%m%d-%H%M%S)}
ROUNDS=${ROUNDS:-3}; HTTP_SECS=${HTTP_SECS:-15}; HTTP_CONNS=${HTTP_CONNS:-64}
ECHO_CONNS=${ECHO_CONNS:-50}; ECHO_MSGS=${ECHO_MSGS:-200}; WARM_MSGS=${WARM_MSGS:-2000}; HTTP_DAPHNE=${HTTP_DAPHNE:-1}
B=${PORT_BASE:-18000}
ALL_HTTP=$((B + 80)); ALL_TCP=$((B + 0)); BARE_HTTP=$((B + 81))
GW_HTTP=$((B + 90)); GW_TCP=$((B + 1)); CONS_HTTP=$((B + 91)); HZ_PORT=$((B - 2299))   # 15701 by default
DAPHNE_PORT=$((B + 100)); CALIB_PORT=$((B + 101)); CLUSTER_NAME=bench-$$-$RANDOM
JAVA_OPTS=(-Xmx512m -Dhazelcast.wait.seconds.before.join=0)
mkdir -p "$OUT"; RES=$OUT/results.txt; : > "$RES"
ulimit -n "$(ulimit -Hn)" 2>/dev/null

STARTED=()
stop_pid() {  # TERM one PID we started, wait up to 15 s, then KILL
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 150); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null
}
cleanup() { local i; for ((i=${#STARTED[@]}-1; i>=0; i--)); do stop_pid "${STARTED[$i]}"; done; STARTED=(); }
trap cleanup EXIT
trap 'exit 130' INT TERM
log() { echo "== $(date +%T) $*" >&2; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# the two Switchboard servers share the machine's Redis and PostgreSQL when they listen (two embedded PostgreSQLs in one
# data directory cannot both start)
port_open 6379 && export SWITCHBOARD_REDIS_URL=${SWITCHBOARD_REDIS_URL:-redis://127.0.0.1:6379}
port_open 5432 && export SWITCHBOARD_PG_URL=${SWITCHBOARD_PG_URL:-postgresql://postgres@127.0.0.1:5432/test}
wait_log() {  # wait_log FILE PATTERN PID: up to 90 s for PATTERN in FILE while PID lives
  local i; for i in $(seq 900); do grep -q "$2" "$1" 2>/dev/null && return 0; kill -0 "$3" 2>/dev/null || break; sleep 0.1; done
  echo "not ready: $1 (want '$2')" >&2; tail -20 "$1" >&2; exit 1
}
cpu() { $PY "$PEERS/loadgen/pcpu.py" "$@"; }
load() { echo "LOAD phase=$1 loadavg=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' ,) cpu_pressure_avg10=$(awk -F'[ =]' '/^some/{print $3}' /proc/pressure/cpu 2>/dev/null)" >> "$RES"; }
jiffies() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat; }   # busy, total (all cores)
SERVERS=()   # every server process of ours, for the "others" column
measured() {  # measured STEP OUTFILE CMD...: CMD's stdout to OUTFILE; appends a NOISE line: machine vs our CPU over CMD's run
  local step=$1 out=$2 j0 j1 s0 s1; shift 2
  j0=$(jiffies); s0=$(cpu "${SERVERS[@]}")
  TIMEFORMAT='%U %S %R'
  { time "$@" > "$out" 2>> "$OUT/clients.err" ; } 2> "$out.time"
  j1=$(jiffies); s1=$(cpu "${SERVERS[@]}")
  $PY "$HERE/report.py" noise "$step" "$out.time" "$j0" "$j1" "$s0" "$s1" "$(nproc)" >> "$RES"
}

[ -x /usr/bin/wrk ] && $PY -c "import daphne, channels, websockets" 2>/dev/null || { echo "peers missing: bash $PEERS/setup.sh" >&2; exit 1; }
if [ "${BUILD:-0}" = 1 ]; then (cd "$ROOT" && mvn -B -o -q package -DskipTests) || exit 1; fi
[ -f "$JAR" ] || { echo "no $JAR: run mvn -B package first (or BUILD=1)" >&2; exit 1; }
for p in $ALL_HTTP $ALL_TCP $BARE_HTTP $GW_HTTP $GW_TCP $CONS_HTTP $DAPHNE_PORT $CALIB_PORT; do
  port_open "$p" && { echo "port $p busy (set PORT_BASE)" >&2; exit 1; }
done
{ echo "MACHINE $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), kernel $(uname -r)"
  echo "JAVA $(java -version 2>&1 | head -1)"; echo "GIT $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet || echo '+dirty')"; } >> "$RES"
log "output in $OUT"; load start

# ---- Redis for Channels (reused if one listens on 6379: then it is not ours to stop)
if port_open 6379; then
  REDIS_PID=$(redis-cli -h 127.0.0.1 -p 6379 info server | tr -d '\r' | awk -F: '/^process_id/{print $2}')
else
  redis-server --bind 127.0.0.1 --port 6379 --save "" --appendonly no > "$OUT/redis.log" 2>&1 &
  REDIS_PID=$!; STARTED+=("$REDIS_PID")
  for i in $(seq 100); do port_open 6379 && break; sleep 0.1; done
fi

# ---- servers: Daphne (as peers/run_all.sh starts it), Switchboard all-in-one, the bare Vert.x server,
#      and Switchboard across two clustered JVMs (consumers first, then the gateway that routes to them)
(cd "$PEERS/django_channels" && exec $PY -m daphne -v 0 -b 127.0.0.1 -p $DAPHNE_PORT peerproj.asgi:application) > "$OUT/daphne.log" 2>&1 &
DAPHNE_PID=$!; STARTED+=("$DAPHNE_PID")
# the peers' client-calibration server (Node + node-ws): the clients' own ceiling, measured in this same run
NODE_PATH=/usr/share/nodejs node "$PEERS/loadgen/calib_echo_server.js" $CALIB_PORT > "$OUT/calib.log" 2>&1 &
CALIB_PID=$!; STARTED+=("$CALIB_PID")
SWITCHBOARD_HTTP_PORT=$ALL_HTTP SWITCHBOARD_TCP_ECHO_PORT=$ALL_TCP java "${JAVA_OPTS[@]}" -jar "$JAR" all > "$OUT/all.log" 2>&1 &
ALL_PID=$!; STARTED+=("$ALL_PID")
java -Xmx512m -cp "$JAR" "$HERE/BareHttpServer.java" $BARE_HTTP > "$OUT/bare.log" 2>&1 &
BARE_PID=$!; STARTED+=("$BARE_PID")
export SWITCHBOARD_CLUSTER_NAME=$CLUSTER_NAME SWITCHBOARD_CLUSTER_MEMBERS=127.0.0.1 SWITCHBOARD_CLUSTER_PORT=$HZ_PORT
SWITCHBOARD_HTTP_PORT=$CONS_HTTP java "${JAVA_OPTS[@]}" -jar "$JAR" consumers --cluster > "$OUT/consumers.log" 2>&1 &
CONS_PID=$!; STARTED+=("$CONS_PID")
wait_log "$OUT/consumers.log" "Switchboard ready" $CONS_PID
SWITCHBOARD_HTTP_PORT=$GW_HTTP SWITCHBOARD_TCP_ECHO_PORT=$GW_TCP java "${JAVA_OPTS[@]}" -jar "$JAR" gateway --cluster > "$OUT/gateway.log" 2>&1 &
GW_PID=$!; STARTED+=("$GW_PID")
unset SWITCHBOARD_CLUSTER_NAME SWITCHBOARD_CLUSTER_MEMBERS SWITCHBOARD_CLUSTER_PORT
wait_log "$OUT/all.log" "Switchboard ready" $ALL_PID
wait_log "$OUT/bare.log" "ready on port" $BARE_PID
wait_log "$OUT/gateway.log" "Switchboard ready" $GW_PID
grep -q "of 2 nodes" "$OUT/gateway.log" || { echo "gateway did not join the consumers' cluster:" >&2; grep ready "$OUT/gateway.log" >&2; exit 1; }
for i in $(seq 100); do port_open $DAPHNE_PORT && port_open $CALIB_PORT && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$DAPHNE_PORT/hello" > /dev/null || { echo "daphne not up" >&2; exit 1; }
for u in $ALL_HTTP $GW_HTTP $BARE_HTTP; do
  [ "$(curl -sf http://127.0.0.1:$u/api/ping)" = '{"pong":true}' ] || { echo "GET :$u/api/ping failed" >&2; exit 1; }
done
SERVERS=($DAPHNE_PID $REDIS_PID $ALL_PID $BARE_PID $GW_PID $CONS_PID $CALIB_PID)
echo "PIDS calib=$CALIB_PID daphne=$DAPHNE_PID redis=$REDIS_PID all=$ALL_PID bare=$BARE_PID gateway=$GW_PID consumers=$CONS_PID" >> "$RES"
log "servers up: $(grep PIDS "$RES")"

# ---- HTTP
wrk_run() {  # wrk_run TARGET URL SERVER_PID SECS
  local t=$1 url=$2 pid=$3 secs=$4 f="$OUT/wrk-$1-$RANDOM" s0 s1
  s0=$(cpu "$pid")
  measured "http-$t" "$f.txt" timeout $((secs + 30)) wrk -t2 -c"$HTTP_CONNS" -d"${secs}s" --latency "$url"
  s1=$(cpu "$pid")
  $PY "$HERE/report.py" wrk "$t" "$f.txt" "$f.txt.time" "$s0" "$s1" "$HTTP_CONNS" >> "$RES"
}
log "HTTP warm-up (10 s each, not measured: JIT)"
for u in $ALL_HTTP $BARE_HTTP; do timeout 40 wrk -t2 -c"$HTTP_CONNS" -d10s "http://127.0.0.1:$u/api/ping" > /dev/null 2>&1; done
for r in $(seq "$ROUNDS"); do
  load "http-round-$r"
  log "HTTP round $r: gateway /api/ping, bare /api/ping (${HTTP_SECS}s each)"
  wrk_run gateway "http://127.0.0.1:$ALL_HTTP/api/ping" $ALL_PID "$HTTP_SECS"
  wrk_run bare "http://127.0.0.1:$BARE_HTTP/api/ping" $BARE_PID "$HTTP_SECS"
done
if [ "$HTTP_DAPHNE" = 1 ]; then
  log "HTTP Daphne /hello (${HTTP_SECS}s)"; load http-daphne
  timeout 40 wrk -t2 -c"$HTTP_CONNS" -d3s "http://127.0.0.1:$DAPHNE_PORT/hello" > /dev/null 2>&1
  wrk_run daphne "http://127.0.0.1:$DAPHNE_PORT/hello" $DAPHNE_PID "$HTTP_SECS"
fi
stop_pid $BARE_PID   # not needed for the WebSocket part
if [ "${WS:-1}" = 0 ]; then load end; cleanup; $PY "$HERE/report.py" table "$RES"; log "raw results and logs: $OUT"; exit 0; fi
SERVERS=($DAPHNE_PID $REDIS_PID $ALL_PID $GW_PID $CONS_PID $CALIB_PID)

# ---- WebSocket echo
ws_java() {  # ws_java TARGET URL SERVER_PIDS AUX_PIDS MSGS [STEP]: one RESULT line on stdout
  local f="$OUT/ws-$1-java-$RANDOM"
  SERVER_PIDS=$3 AUX_PIDS=$4 measured "${6:-ws}-$1-java" "$f" timeout 150 java "$PEERS/loadgen/WsBench.java" echo "$2" "$ECHO_CONNS" "$5"
  sed "s/^RESULT /RESULT target=$1 client=java /" "$f"
}
ws_py() {
  local f="$OUT/ws-$1-python-$RANDOM"
  SERVER_PIDS=$3 AUX_PIDS=$4 USE_UVLOOP=1 measured "${6:-ws}-$1-python" "$f" timeout 150 $PY "$PEERS/loadgen/ws_bench.py" echo "$2" "$ECHO_CONNS" "$5"
  sed "s/^RESULT /RESULT target=$1 /" "$f"
}
TARGETS=("one-jvm|ws://127.0.0.1:$ALL_HTTP/ws/echo|$ALL_PID|"
         "two-jvm|ws://127.0.0.1:$GW_HTTP/ws/echo|$GW_PID|$CONS_PID"
         "daphne|ws://127.0.0.1:$DAPHNE_PORT/ws/echo/|$DAPHNE_PID|$REDIS_PID"
         "calib|ws://127.0.0.1:$CALIB_PORT/|$CALIB_PID|")
log "WS warm-up: ${ECHO_CONNS} x $WARM_MSGS per target, not measured"
for t in "${TARGETS[@]}"; do
  IFS='|' read -r name url spid apid <<< "$t"
  ws_java "$name" "$url" "$spid" "$apid" "$WARM_MSGS" warmup | sed 's/^RESULT /WARMUP /' >> "$RES"
done
for r in $(seq "$ROUNDS"); do
  load "ws-round-$r"
  log "WS echo round $r: ${ECHO_CONNS} x ${ECHO_MSGS}, java + python clients, one-jvm / two-jvm / daphne / calib"
  for t in "${TARGETS[@]}"; do
    IFS='|' read -r name url spid apid <<< "$t"
    ws_java "$name" "$url" "$spid" "$apid" "$ECHO_MSGS" >> "$RES"
    ws_py "$name" "$url" "$spid" "$apid" "$ECHO_MSGS" >> "$RES"
  done
done
load end
cleanup
$PY "$HERE/report.py" table "$RES"
log "raw results and logs: $OUT"

#!/bin/bash
# Channel-layer fan-out: one publisher, N subscribers, M messages, Switchboard (two gateway JVMs + a
# consumers JVM, clustered on loopback) beside Django Channels + channels_redis under Daphne, in one run.
# Usage (from the repository root, after `mvn -B package`): bash bench/channels-fanout.sh [subscribers=1000] [msgs=50]
# Writes logs and raw RESULT lines to bench/out/channels-<time>/. Stops only the processes it started.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PEERS=${PEERS:-$ROOT/../shared/peers}
[ -d "$PEERS" ] || PEERS=/work/shared/peers
SUBS=${1:-1000}; MSGS=${2:-50}
OUT=$ROOT/bench/out/channels-$(date +%Y%m%d-%H%M%S); mkdir -p "$OUT"; RES=$OUT/results.txt; : > "$RES"
JAR=$ROOT/deploy/target/switchboard.jar
PY=/usr/bin/python3
DAPHNE_PORT=${DAPHNE_PORT:-8765}
ulimit -n "$(ulimit -Hn)" 2>/dev/null
STARTED=()
stop_pid() { local pid=$1 i; kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 150); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done; kill -KILL "$pid" 2>/dev/null; }
cleanup() { local i; for ((i=${#STARTED[@]}-1; i>=0; i--)); do stop_pid "${STARTED[$i]}"; done; }
trap cleanup EXIT
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_port() { local i; for i in $(seq 300); do port_open "$1" && return 0; sleep 0.1; done; return 1; }
log() { echo "== $*" >&2; }

# ---- Switchboard: consumers JVM, then two gateway JVMs
CLUSTER=bench-$$-$RANDOM
node() { # name role...
  local name=$1; shift
  SWITCHBOARD_HTTP_PORT=0 SWITCHBOARD_TCP_ECHO_PORT=0 SWITCHBOARD_CLUSTER_NAME=$CLUSTER \
    java -Xmx512m -Dhazelcast.wait.seconds.before.join=0 -Dhazelcast.logging.type=slf4j -jar "$JAR" "$@" --cluster > "$OUT/$name.log" 2>&1 &
  STARTED+=("$!"); echo $! > "$OUT/$name.pid"
}
ready_port() { local i; for i in $(seq 600); do
  p=$(grep -o 'Switchboard ready: .*http port [0-9]*' "$OUT/$1.log" | grep -o '[0-9]*$') && [ -n "$p" ] && { echo "$p"; return 0; }; sleep 0.1; done; return 1; }
node consumers consumers; ready_port consumers > /dev/null || { echo "consumers not ready" >&2; exit 1; }
node gateway-a gateway; node gateway-b gateway
PA=$(ready_port gateway-a) && PB=$(ready_port gateway-b) || { echo "gateways not ready" >&2; exit 1; }
log "switchboard gateways on $PA and $PB"
stats() { curl -sf "http://127.0.0.1:$PA/api/channels/stats"; }

# ---- Daphne + channels_redis
if ! port_open 6379; then
  redis-server --bind 127.0.0.1 --port 6379 --save "" --appendonly no > "$OUT/redis.log" 2>&1 & STARTED+=("$!"); wait_port 6379
fi
(cd "$PEERS/django_channels" && exec $PY -m daphne -v 0 -b 127.0.0.1 -p $DAPHNE_PORT peerproj.asgi:application) > "$OUT/daphne.log" 2>&1 &
STARTED+=("$!"); wait_port $DAPHNE_PORT || { echo "daphne not up" >&2; exit 1; }
log "daphne on $DAPHNE_PORT"

run() { # label command...
  log "$1"; local label=$1; shift
  timeout 300 "$@" 2>> "$OUT/client.err" | sed "s/^RESULT /RESULT run=$label /" | tee -a "$RES"; sleep 2
}
SB_A="ws://127.0.0.1:$PA/ws/rooms"; SB_B="ws://127.0.0.1:$PB/ws/rooms"
before=$(stats)
run switchboard-2gw-fanoutbench java "$ROOT/bench/FanoutBench.java" "$SB_A/r1-$$,$SB_B/r1-$$" "$SUBS" "$MSGS"
after=$(stats)
run daphne-fanoutbench java "$ROOT/bench/FanoutBench.java" "ws://127.0.0.1:$DAPHNE_PORT/ws/room/f-$$/" "$SUBS" "$MSGS"
run switchboard-1gw-wsbench java "$PEERS/loadgen/WsBench.java" fanout "$SB_A/r2-$$" "$SUBS" "$MSGS"
run daphne-wsbench java "$PEERS/loadgen/WsBench.java" fanout "ws://127.0.0.1:$DAPHNE_PORT/ws/room/w-$$/" "$SUBS" "$MSGS"

# Cluster messages per group_send on the consumers node (where RoomConsumer calls groupSend), first run only.
CONSUMERS_NODE=$(grep -o 'node [0-9a-f-]*' "$OUT/consumers.log" | head -1 | cut -d' ' -f2)
$PY - "$CONSUMERS_NODE" "$before" "$after" <<'PYEOF' | tee -a "$RES"
import json, sys
node, before, after = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
pick = lambda s: next(n for n in s["nodes"] if n["node"] == node)
b, a = pick(before), pick(after)
sends = a["groupSends"] - b["groupSends"]; msgs = a["groupSendClusterMessages"] - b["groupSendClusterMessages"]
print("RESULT run=switchboard-2gw-fanoutbench group_sends=%d cluster_messages=%d per_group_send=%.2f gateways_with_members=2 delivered=%d dropped=%d"
      % (sends, msgs, msgs / max(sends, 1), sum(n["delivered"] for n in after["nodes"]) - sum(n["delivered"] for n in before["nodes"]),
         sum(n["droppedClientTooSlow"] + n["droppedChannelClosed"] + n["droppedNodeUnreachable"] for n in after["nodes"])))
PYEOF
echo "results: $RES" >&2

#!/bin/bash
# Reconnect storm: N WebSockets through deploy/cluster.sh's nginx (round robin over two gateways), then kill -9 of
# gateway-1; its clients reconnect through nginx (which then sends them to gateway-2) with the JS SDK's policy,
# capped exponential backoff with jitter (bench/LoadGen.java storm). Reports how many dropped and the time from the
# first drop until every client is connected again.
# Usage: bash bench/reconnect-storm.sh [N=1000]       (after mvn -B package; the lead runs N=10000)
# Env: HOLD [120] (the most the generator waits for everyone to be back), BACKOFF ["500 30000 0.5"]: initial ms, cap
#   ms, jitter share; SWITCHBOARD_LB_PORT [18880], SWITCHBOARD_HTTP_BASE_PORT [18080], SWITCHBOARD_TCP_BASE_PORT
#   [18000], SWITCHBOARD_CLUSTER_PORT [15801]; OUT [bench/out/storm-<time>].
# The per-IP limits: behind nginx every client arrives from 127.0.0.1, so the gateways' per-IP limits (200 new
# connections/s, 2000 open by default) would be all this measures; they are lifted here to 1,000,000/s and
# 10,000,000 open (SWITCHBOARD_LIMITS_*, passed through by cluster.sh). A real deployment keeps its limits and lets
# nginx pass the client address (X-Forwarded-For) for them.
set -u
HERE=$(cd "$(dirname "$0")" && pwd); ROOT=$(dirname "$HERE")
N=${1:-1000}; HOLD=${HOLD:-120}; read -r B_INIT B_MAX B_JIT <<< "${BACKOFF:-500 30000 0.5}"
JAR=$ROOT/deploy/target/switchboard.jar
OUT=${OUT:-$ROOT/bench/out/storm-$(date +%Y%m%d-%H%M%S)}; mkdir -p "$OUT"; RES=$OUT/results.txt; : > "$RES"
export SWITCHBOARD_RUN_DIR=$OUT/cluster SWITCHBOARD_LB_PORT=${SWITCHBOARD_LB_PORT:-18880}
export SWITCHBOARD_HTTP_BASE_PORT=${SWITCHBOARD_HTTP_BASE_PORT:-18080} SWITCHBOARD_TCP_BASE_PORT=${SWITCHBOARD_TCP_BASE_PORT:-18000}
export SWITCHBOARD_CLUSTER_PORT=${SWITCHBOARD_CLUSTER_PORT:-15801} SWITCHBOARD_CLUSTER_NAME=storm-$$-$RANDOM
export SWITCHBOARD_LIMITS_CONNECTIONS_PER_SECOND=1000000 SWITCHBOARD_LIMITS_CONNECTION_BURST=1000000 \
  SWITCHBOARD_LIMITS_MAX_CONNECTIONS_PER_IP=10000000
(exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null && export SWITCHBOARD_PG_URL=${SWITCHBOARD_PG_URL:-postgresql://postgres@127.0.0.1:5432/test}
ulimit -n "$(ulimit -Hn)" 2>/dev/null
GEN=
cleanup() { [ -n "$GEN" ] && kill "$GEN" 2>/dev/null; bash "$ROOT/deploy/cluster.sh" stop > "$OUT/cluster-stop.log" 2>&1; }
trap cleanup EXIT
trap 'exit 130' INT TERM
log() { echo "== $(date +%T) $*" >&2; }
[ -f "$JAR" ] || { echo "no $JAR: run mvn -B package first" >&2; exit 1; }
echo "MACHINE $(nproc) cores, N=$N, backoff ${B_INIT}ms..${B_MAX}ms jitter $B_JIT, GIT $(git -C "$ROOT" rev-parse --short HEAD)" >> "$RES"

log "starting the six-node cluster with nginx on $SWITCHBOARD_LB_PORT"
bash "$ROOT/deploy/cluster.sh" start > "$OUT/cluster-start.log" 2>&1 || { tail -20 "$OUT/cluster-start.log" >&2; exit 1; }
VICTIM=$(awk '$1 == "gateway-1" {print $3}' "$SWITCHBOARD_RUN_DIR/nodes.tsv")
[ -n "$VICTIM" ] || { echo "no gateway-1 in $SWITCHBOARD_RUN_DIR/nodes.tsv" >&2; exit 1; }

java -Xmx1g -cp "$JAR" "$HERE/LoadGen.java" storm --url "ws://127.0.0.1:$SWITCHBOARD_LB_PORT/ws/echo" --conns "$N" \
    --hold "$HOLD" --initial-ms "$B_INIT" --max-ms "$B_MAX" --jitter "$B_JIT" --parallel 64 --deadline $((HOLD + 300)) \
    > "$OUT/gen.txt" 2> "$OUT/gen.err" &
GEN=$!
for i in $(seq 3000); do grep -q HOLDING "$OUT/gen.txt" && break; kill -0 $GEN 2>/dev/null || break; sleep 0.1; done
grep -q HOLDING "$OUT/gen.txt" || { echo "the generator did not open its sockets" >&2; cat "$OUT/gen.err" >&2; exit 1; }
log "$(grep HOLDING "$OUT/gen.txt"); kill -9 gateway-1 (PID $VICTIM)"
echo "KILL gateway-1 pid=$VICTIM at $(date +%T.%3N)" >> "$RES"
kill -9 "$VICTIM"
wait $GEN; GEN=
grep RESULT "$OUT/gen.txt" | tee -a "$RES"
log "results: $RES"

#!/bin/bash
# What one WebSocket echo costs each JVM of the two-JVM deployment (gateway + consumers, clustered on 127.0.0.1):
# CPU time and heap bytes allocated per message, in the gateway and in the consumers JVM. Counts, not timings: valid
# on a loaded machine (the lead's idle-machine loadgen.sh gives the speed).
# Per JVM: JFR with jdk.ThreadAllocationStatistics every second. bench/LoadGen.java echo (ECHO_CONNS connections, one
# message in flight each, 64-byte payload) as separate warm-up runs until WARM_MSGS echoes (JIT), 3 s idle, then a measured run of DURATION s;
# CPU = /proc/PID/stat utime+stime just before and after the measured run; allocated = every thread's allocated
# counter (the JFR sample just before the measured run, the first just after, summed over threads); each divided by
# the echoes the measured run received; so are the threads' voluntary context switches (a thread that sleeps, to be
# woken by the next hand-off); the GC pauses in the measured run (-Xlog:gc). Then the JVMs' allocation samples (jdk.ObjectAllocationSample) over both runs
# by allocating frame, the top ones listed, to see who allocates.
# Usage: bash bench/echo-cost.sh      (after mvn -B package; needs the JDK's jfr tool)
# Env: JAR [deploy/target/switchboard.jar], WARM_MSGS [300000], WARM_MAX_S [150], DURATION [10], ECHO_CONNS [50], INFLIGHT [1], PORT_BASE [19700], OUT [bench/out/echo-cost-<time>],
#   JFR_SETTINGS [default] (profile: also CPU samples, more overhead).
set -u
HERE=$(cd "$(dirname "$0")" && pwd); ROOT=$(dirname "$HERE"); JAR=${JAR:-$ROOT/deploy/target/switchboard.jar}
OUT=${OUT:-$ROOT/bench/out/echo-cost-$(date +%Y%m%d-%H%M%S)}; mkdir -p "$OUT"
WARM_MSGS=${WARM_MSGS:-300000}; WARM_MAX_S=${WARM_MAX_S:-150}; DURATION=${DURATION:-10}; CONNS=${ECHO_CONNS:-50}; INFLIGHT=${INFLIGHT:-1}
B=${PORT_BASE:-19700}; GW=$((B + 1)); CONS=$((B + 2)); HZ_PORT=$((B - 3500)); CLUSTER=echo-cost-$$-$RANDOM
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port_open 6379 && export SWITCHBOARD_REDIS_URL=${SWITCHBOARD_REDIS_URL:-redis://127.0.0.1:6379}
port_open 5432 && export SWITCHBOARD_PG_URL=${SWITCHBOARD_PG_URL:-postgresql://postgres@127.0.0.1:5432/test}
export SWITCHBOARD_LIMITS_CONNECTIONS_PER_SECOND=1000000 SWITCHBOARD_LIMITS_CONNECTION_BURST=1000000 \
  SWITCHBOARD_LIMITS_MAX_CONNECTIONS_PER_IP=10000000

STARTED=()
stop_pid() { local pid=$1 i; kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 150); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done; kill -KILL "$pid" 2>/dev/null; }
cleanup() { local i; for ((i=${#STARTED[@]}-1; i>=0; i--)); do stop_pid "${STARTED[$i]}"; done; STARTED=(); }
trap cleanup EXIT
trap 'exit 130' INT TERM
log() { echo "== $(date +%T) $*" >&2; }
wait_log() { local i; for i in $(seq 1200); do grep -q "$2" "$1" 2>/dev/null && return 0; kill -0 "$3" 2>/dev/null || break; sleep 0.1; done
  echo "not ready: $1 (want '$2')" >&2; tail -20 "$1" >&2; exit 1; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
switches() { cat /proc/$1/task/*/status 2>/dev/null | awk '/^voluntary_ctxt_switches/ {s += $2} END {print s}'; }   # sleeps: wake-ups

[ -f "$JAR" ] || { echo "no $JAR: run mvn -B package first" >&2; exit 1; }
for p in $GW $CONS; do port_open "$p" && { echo "port $p busy (set PORT_BASE)" >&2; exit 1; }; done
JH=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
python3 "$ROOT/bench/jfr_alloc.py" settings "$JH/lib/jfr/${JFR_SETTINGS:-default}.jfc" "$OUT/alloc.jfc"
JAVA_OPTS=(-Xmx512m -Dhazelcast.wait.seconds.before.join=0 -Dhazelcast.logging.type=slf4j)
jfr() { echo "-XX:StartFlightRecording=settings=$OUT/alloc.jfc,filename=$OUT/$1.jfr,dumponexit=true -Xlog:gc:file=$OUT/$1-gc.log:time"; }
export SWITCHBOARD_CLUSTER_NAME=$CLUSTER SWITCHBOARD_CLUSTER_MEMBERS=127.0.0.1 SWITCHBOARD_CLUSTER_PORT=$HZ_PORT
SWITCHBOARD_HTTP_PORT=$CONS java "${JAVA_OPTS[@]}" $(jfr consumers) -jar "$JAR" consumers --cluster > "$OUT/consumers.log" 2>&1 &
CONS_PID=$!; STARTED+=($!)
wait_log "$OUT/consumers.log" "Switchboard ready" $CONS_PID
SWITCHBOARD_HTTP_PORT=$GW SWITCHBOARD_TCP_ECHO_PORT=0 java "${JAVA_OPTS[@]}" $(jfr gateway) -jar "$JAR" gateway --cluster > "$OUT/gateway.log" 2>&1 &
GW_PID=$!; STARTED+=($!)
wait_log "$OUT/gateway.log" "Switchboard ready" $GW_PID
unset SWITCHBOARD_CLUSTER_NAME SWITCHBOARD_CLUSTER_MEMBERS SWITCHBOARD_CLUSTER_PORT
# the consumer's route reaches the gateway just after 'ready': wait until an echo comes back
for i in $(seq 100); do
  timeout 20 java -cp "$JAR" "$HERE/LoadGen.java" echo --url ws://127.0.0.1:$GW/ws/echo --conns 1 --warmup 0 --duration 0.2 \
    > /dev/null 2>&1 && break
  sleep 0.5
done
gen() {  # gen SECONDS: one echo run
  timeout $(( ${1%.*} + 60 )) java -Xmx1g -cp "$JAR" "$HERE/LoadGen.java" echo --url ws://127.0.0.1:$GW/ws/echo \
    --conns "$CONNS" --inflight "$INFLIGHT" --warmup 0 --duration "$1" 2>> "$OUT/loadgen.err" | grep '^RESULT'
}
# warm-up by count (the JIT compiles by invocation counts): 10-s runs until WARM_MSGS echoes, at most WARM_MAX_S
warmed=0; t=$SECONDS
while [ "$warmed" -lt "$WARM_MSGS" ] && [ $((SECONDS - t)) -lt "$WARM_MAX_S" ]; do
  gen 10 >> "$OUT/warm.txt"; warmed=$(grep -o ' msgs=[0-9]*' "$OUT/warm.txt" | awk -F= '{s += $2} END {print s + 0}')
  log "warm-up: $warmed echoes"
done
sleep 3
G0=$(ticks $GW_PID); C0=$(ticks $CONS_PID); GS0=$(switches $GW_PID); CS0=$(switches $CONS_PID); date +%s.%N > "$OUT/t0"
log "measured $DURATION s"; gen "$DURATION" > "$OUT/measured.txt"
date +%s.%N > "$OUT/t1"; G1=$(ticks $GW_PID); C1=$(ticks $CONS_PID); GS1=$(switches $GW_PID); CS1=$(switches $CONS_PID)
sleep 3
echo "gateway $((G1 - G0)) consumers $((C1 - C0))" > "$OUT/ticks"
echo "gateway $((GS1 - GS0)) consumers $((CS1 - CS0))" > "$OUT/switches"
cleanup
python3 - "$OUT" "$(getconf CLK_TCK)" "${COMMIT:-$(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet || echo +dirty)}" "$ROOT/bench" <<'PY' | tee "$OUT/results.txt"
import collections, json, re, subprocess, sys
from datetime import datetime
out, hz, commit = sys.argv[1], int(sys.argv[2]), sys.argv[3]
sys.path.insert(0, sys.argv[-1]); from jfr_alloc import recording, ts
def events(name, kind, depth=64):
    return recording(f'{out}/{name}.jfr', kind, depth)
line = open(f'{out}/measured.txt').read()
msgs = int(re.search(r' msgs=(\d+)', line).group(1))
t0 = float(open(f'{out}/t0').read()); t1 = float(open(f'{out}/t1').read())
ticks = dict(zip(*[iter(open(f'{out}/ticks').read().split())] * 2))
switches = dict(zip(*[iter(open(f'{out}/switches').read().split())] * 2))
print(f'commit {commit}; {msgs} echoes measured; {line.strip()}')
for name in ('gateway', 'consumers'):
    per_thread = collections.defaultdict(list)
    for e in events(name, 'jdk.ThreadAllocationStatistics', 1):
        v = e['values']
        if v['thread']:
            per_thread[(v['thread']['javaName'], v['thread'].get('javaThreadId'))].append((ts(v['startTime']), v['allocated']))
    total = 0
    for rows in per_thread.values():
        before = [a for s, a in sorted(rows) if s <= t0]; after = [a for s, a in sorted(rows) if s >= t1]
        if after:
            total += after[0] - (before[-1] if before else 0)
    cpu_us = int(ticks[name]) / hz * 1e6 / msgs
    pauses = []
    for l in open(f'{out}/{name}-gc.log'):
        m = re.match(r'\[([^\]]+)\].*Pause.* ([0-9.]+)ms$', l.strip())
        if m and t0 <= datetime.strptime(m.group(1), '%Y-%m-%dT%H:%M:%S.%f%z').timestamp() <= t1:
            pauses.append(float(m.group(2)))
    print(f'{name}: {cpu_us:.1f} us CPU per echo, {total / msgs:.0f} B allocated per echo, '
          f'{int(switches[name]) / msgs:.2f} thread sleeps (voluntary context switches) per echo, '
          f'{len(pauses)} GC pauses ({sum(pauses):.1f} ms, max {max(pauses, default=0):.1f} ms) in the measured run')
    top = collections.Counter(); weight = 0
    for e in events(name, 'jdk.ObjectAllocationSample', 12):
        v = e['values']
        frames = (v['stackTrace'] or {'frames': []})['frames']
        names = [f"{f['method']['type']['name'].split('/')[-1]}.{f['method']['name']}" for f in frames[:4]]
        top[f"{v['objectClass']['name'].split('/')[-1]} <- {' <- '.join(names)}"] += v['weight']; weight += v['weight']
    for who, w in top.most_common(25):
        print(f'  {100 * w / weight:5.1f} %  {who}')
PY

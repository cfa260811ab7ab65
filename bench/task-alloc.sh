#!/bin/bash
# Heap bytes allocated per noop task in the worker JVM (and in the task client's event loop), load-independent:
# a private redis-server on a free port, one worker JVM with JFR (jdk.ThreadAllocationStatistics every second),
# bench/TaskBench.java as a warm-up run (JIT), 3 s idle, then a measured run; allocated = each thread's counter at
# the first sample after the run minus the last before it, summed by thread group, divided by the run's tasks. Then
# the worker's allocation samples (jdk.ObjectAllocationSample, both runs) by allocating frame, to see who allocates.
#   bash bench/task-alloc.sh          (after mvn -B package; needs the JDK's jfr tool)
# Env: WARM [10000] and TASKS [10000] tasks per TaskBench throughput pass (each run does two), OUT, COMMIT. Stops only
# what it started.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
JAR=${JAR:-$ROOT/deploy/target/switchboard.jar}
WARM=${WARM:-10000}; TASKS=${TASKS:-10000}
OUT=${OUT:-/tmp/task-alloc-$(date +%Y%m%d-%H%M%S)}; mkdir -p "$OUT"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
STARTED=()
cleanup() { local i; for ((i=${#STARTED[@]}-1; i>=0; i--)); do kill -TERM "${STARTED[$i]}" 2>/dev/null; wait "${STARTED[$i]}" 2>/dev/null; done; STARTED=(); }
trap cleanup EXIT
JH=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
python3 "$ROOT/bench/jfr_alloc.py" settings "$JH/lib/jfr/default.jfc" "$OUT/alloc.jfc"
jfr_opt() { echo "-XX:StartFlightRecording=settings=$OUT/alloc.jfc,filename=$OUT/$1.jfr,dumponexit=true"; }
redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$OUT" > "$OUT/redis.log" 2>&1 &
STARTED+=($!)
for i in $(seq 300); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
URL=redis://127.0.0.1:$PORT
echo '{"tasks": {"namespace": "alloc", "concurrency": 16}}' > "$OUT/worker.json"
SWITCHBOARD_REDIS_URL=$URL SWITCHBOARD_HTTP_PORT=0 SWITCHBOARD_TCP_ECHO_PORT=0 \
  java -Xmx512m $(jfr_opt worker) -jar "$JAR" worker --config "$OUT/worker.json" > "$OUT/worker.log" 2>&1 &
WORKER_PID=$!; STARTED+=($WORKER_PID)
for i in $(seq 600); do grep -q "Switchboard ready" "$OUT/worker.log" && break; sleep 0.1; done
TASK_DEADLINE_S=300 java -Xmx512m -cp "$JAR" "$ROOT/bench/TaskBench.java" "$URL" alloc "$WARM" 20 > "$OUT/warm.txt" 2>&1
sleep 3; date +%s.%N > "$OUT/t0"
TASK_DEADLINE_S=300 java -Xmx512m $(jfr_opt client) -cp "$JAR" "$ROOT/bench/TaskBench.java" "$URL" alloc "$TASKS" 20 \
  > "$OUT/bench.txt" 2>&1
date +%s.%N > "$OUT/t1"; sleep 3
cleanup
TOTAL=$((1 + 200 + 2 * TASKS + 20 + 20))
python3 - "$OUT" "$TOTAL" "${COMMIT:-$(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet || echo +dirty)}" "$ROOT/bench" <<'PY' | tee "$OUT/results.txt"
import collections, json, subprocess, sys
from datetime import datetime
out, total, commit = sys.argv[1], int(sys.argv[2]), sys.argv[3]
sys.path.insert(0, sys.argv[-1]); from jfr_alloc import recording, ts
def events(name, kind, depth=64):
    return recording(f'{out}/{name}.jfr', kind, depth)
t0 = float(open(f'{out}/t0').read()); t1 = float(open(f'{out}/t1').read())
print(f'commit {commit}; {total} noop tasks measured')
for name, whole in (('worker', False), ('client', True)):
    rows = collections.defaultdict(list)
    for e in events(name, 'jdk.ThreadAllocationStatistics', 1):
        v = e['values']
        if v['thread']:
            rows[(v['thread']['javaName'], v['thread'].get('javaThreadId'))].append((ts(v['startTime']), v['allocated']))
    groups = collections.Counter()
    for (thread, _), r in rows.items():
        r.sort()
        before = [a for s, a in r if s <= t0] if not whole else []
        after = [a for s, a in r if s >= t1] if not whole else [r[-1][1]]
        if after:
            group = 'event loops' if 'eventloop' in thread else 'other threads'
            groups[group] += after[0] - (before[-1] if before else 0)
    print(f'{name}: ' + ', '.join(f'{g} {b / total:,.0f} B per task' for g, b in sorted(groups.items()))
          + (' (whole run, javac included in other threads)' if whole else ''))
for name in ('worker', 'client'):
    top = collections.Counter(); weight = 0
    for e in events(name, 'jdk.ObjectAllocationSample', 12):
        v = e['values']
        if 'eventloop' not in ((v.get('eventThread') or {}).get('javaName') or ''):
            continue
        frames = (v['stackTrace'] or {'frames': []})['frames']
        names = [f"{f['method']['type']['name'].split('/')[-1]}.{f['method']['name']}" for f in frames[:5]]
        top[f"{v['objectClass']['name'].split('/')[-1]} <- {' <- '.join(names)}"] += v['weight']; weight += v['weight']
    print(f'{name} event loops, top allocation sites (share of sampled weight):')
    for who, w in top.most_common(25):
        print(f'  {100 * w / max(weight, 1):5.1f} %  {who}')
PY

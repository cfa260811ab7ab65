#!/bin/bash
# Heap bytes allocated per GET /api/ping on the server's event loops: the gateway (`all` role, metrics on) against
# bench/BareHttpServer.java (same bytes, no router, no metrics). Counts, not timings: valid on a loaded machine.
# Per server: JFR with jdk.ThreadAllocationStatistics every second; wrk -t1 -c8 8 s of warm-up (JIT), then 8 s
# measured: bytes = (the event-loop threads' allocated counters just after - just before) / wrk's request count.
# Then JFR's allocation samples (jdk.ObjectAllocationSample) split by who allocated: Micrometer, the
# vertx-web router, Switchboard's handlers, Vert.x core/Netty.
# Usage: bash bench/http-alloc.sh   (after mvn -B package; needs wrk and the JDK's jfr tool)
set -u
HERE=$(cd "$(dirname "$0")" && pwd); ROOT=$(dirname "$HERE"); JAR=$ROOT/deploy/target/switchboard.jar
OUT=${OUT:-$ROOT/bench/out/http-alloc-$(date +%Y%m%d-%H%M%S)}; mkdir -p "$OUT"; PORT=${PORT:-19611}
JH=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
python3 "$ROOT/bench/jfr_alloc.py" settings "$JH/lib/jfr/default.jfc" "$OUT/alloc.jfc"
run() {  # run NAME -- java args
  local name=$1 pid i; shift
  java -XX:StartFlightRecording=settings="$OUT/alloc.jfc",filename="$OUT/$name.jfr",dumponexit=true "$@" > "$OUT/$name.log" 2>&1 &
  pid=$!
  for i in $(seq 600); do curl -s -o /dev/null "http://127.0.0.1:$PORT/api/ping" && break; sleep 0.2; done
  wrk -t1 -c8 -d8s "http://127.0.0.1:$PORT/api/ping" > "$OUT/$name-warm.txt"
  sleep 3; date +%s.%N > "$OUT/$name-t0"
  wrk -t1 -c8 -d8s "http://127.0.0.1:$PORT/api/ping" > "$OUT/$name-wrk.txt"
  date +%s.%N > "$OUT/$name-t1"; sleep 3
  kill -TERM "$pid"; wait "$pid"
}
SWITCHBOARD_HTTP_PORT=$PORT SWITCHBOARD_TCP_ECHO_PORT=0 run gateway -Xmx512m -jar "$JAR" all
run bare -Xmx512m -cp "$JAR" "$HERE/BareHttpServer.java" "$PORT"
python3 - "$OUT" gateway bare "$ROOT/bench" <<'PY' | tee "$OUT/results.txt"
import collections, json, re, subprocess, sys
from datetime import datetime
out = sys.argv[1]
sys.path.insert(0, sys.argv[-1]); from jfr_alloc import recording, ts
def events(name, kind, depth=64):
    return recording(f'{out}/{name}.jfr', kind, depth)
for name in sys.argv[2:-1]:
    t0 = float(open(f'{out}/{name}-t0').read()); t1 = float(open(f'{out}/{name}-t1').read())
    reqs = int(re.search(r'(\d+) requests in', open(f'{out}/{name}-wrk.txt').read()).group(1))
    per_thread = collections.defaultdict(list)
    for e in events(name, 'jdk.ThreadAllocationStatistics', 1):
        v = e['values']
        if v['thread'] and 'eventloop' in v['thread']['javaName']:
            per_thread[v['thread']['javaName']].append((ts(v['startTime']), v['allocated']))
    total = 0
    for rows in per_thread.values():
        before = [a for s, a in sorted(rows) if s <= t0]; after = [a for s, a in sorted(rows) if s >= t1]
        if after:
            total += after[0] - (before[-1] if before else 0)
    shares = collections.Counter(); weight = 0
    for e in events(name, 'jdk.ObjectAllocationSample'):
        v = e['values']
        if not v.get('eventThread') or 'eventloop' not in v['eventThread']['javaName']:
            continue
        cls = [f['method']['type']['name'].replace('/', '.') for f in (v['stackTrace'] or {'frames': []})['frames']]
        if any(c.startswith(('io.micrometer', 'io.vertx.micrometer')) for c in cls):
            who = 'Micrometer / vertx-micrometer (meters)'
        elif any(c.startswith('io.vertx.ext.web') for c in cls[:6]):
            who = 'vertx-web router'
        elif any(c.startswith('dev.switchboard') for c in cls[:3]):
            who = 'Switchboard handlers (own frames on top)'
        else:
            who = 'Vert.x core / Netty (request, headers, response)'
        shares[who] += v['weight']; weight += v['weight']
    print(f'{name}: {reqs} requests, {total / reqs:.0f} B allocated per request on the event loops')
    for who, w in shares.most_common():
        print(f'  {100 * w / weight:5.1f} %  ~{total / reqs * w / weight:5.0f} B  {who}')
PY

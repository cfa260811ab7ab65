#!/usr/bin/python3
"""One Python Celery client against one queue: N noop tasks sent then awaited (tasks/s), then M sequential
add.delay().get() (latency). Prints one RESULT line. Usage: client.py REDIS_URL QUEUE N M"""
import statistics
import sys
import time

from celery import Celery
from celery.result import ResultSet

redis_url, queue, n, m = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
app = Celery("bench", broker=redis_url, backend=redis_url)
app.conf.task_default_queue = queue

start = time.perf_counter()
results = [app.send_task("noop", queue=queue) for _ in range(n)]
# one wait for all: a loop of r.get() pays Celery's 1 s drain interval per result once one result came late
ResultSet(results).join_native(timeout=300)
throughput = n / (time.perf_counter() - start)

latencies = []
for i in range(m):
    t0 = time.perf_counter()
    assert app.send_task("add", [i, 1], queue=queue).get(timeout=60) == i + 1
    latencies.append((time.perf_counter() - t0) * 1000)
latencies.sort()
p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] if latencies else 0
print("RESULT queue=%s tasks=%d tasks_per_s=%.0f get_n=%d get_p50_ms=%.2f get_p99_ms=%.2f" % (
    queue, n, throughput, m, statistics.median(latencies) if latencies else 0, p99), flush=True)

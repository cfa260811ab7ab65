#!/usr/bin/env python3
"""Request/reply round trip from Python over the TCP bridge to the JVM and back.

Sequential requests (one in flight) to ``switchboard.bridge.echo``, the bridge node's echo service, which
must be permitted inbound (SWITCHBOARD_TCP_BRIDGE_INBOUND=switchboard.bridge.echo).
Usage: bench_rtt.py [--port 7000] [--count 5000] [--warmup 1000] [--size 64]
Prints one JSON line: count, p50/p90/p99/max in microseconds, requests per second.
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from switchboard_bus import EventBus  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=7000)
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--warmup", type=int, default=1000)
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--address", default="switchboard.bridge.echo")
    args = parser.parse_args()
    body = {"payload": "x" * args.size}
    samples = []
    with EventBus(args.host, args.port) as bus:
        for _ in range(args.warmup):
            bus.request(args.address, body)
        started = time.perf_counter()
        for _ in range(args.count):
            t0 = time.perf_counter_ns()
            bus.request(args.address, body)
            samples.append((time.perf_counter_ns() - t0) / 1000)
        elapsed = time.perf_counter() - started
    samples.sort()

    def pct(p):
        return round(samples[min(len(samples) - 1, int(p / 100 * len(samples)))], 1)

    print(json.dumps({"count": args.count, "payload_bytes": args.size, "p50_us": pct(50), "p90_us": pct(90),
                      "p99_us": pct(99), "max_us": round(samples[-1], 1), "req_per_s": round(args.count / elapsed)}))


if __name__ == "__main__":
    main()

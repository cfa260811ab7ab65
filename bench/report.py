#!/usr/bin/python3
"""Helpers for bench/run.sh.
  report.py wrk TARGET WRK_OUT TIME_OUT SERVER_CPU0 SERVER_CPU1 CONNS  -> one RESULT line for a wrk run
  report.py table RESULTS_FILE                                          -> the Markdown table, the ratios and the targets
CPU % is percent of one core (the machine has nproc x 100 %)."""
import re
import statistics
import sys


def wrk(target, out, timing, s0, s1, conns):
    text = open(out).read()
    user, system, real = map(float, open(timing).read().split()[-3:])

    def ms(pct):
        m = re.search(r"^\s*%s%%\s+([\d.]+)(us|ms|s)\s*$" % pct, text, re.M)
        return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)] if m else float("nan")

    rps = re.search(r"Requests/sec:\s*([\d.]+)", text)
    errors = re.search(r"Socket errors:.*", text)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", text)
    print("RESULT scenario=http_wrk target=%s conns=%s secs=%.1f req_per_s=%s p50_ms=%.2f p99_ms=%.2f "
          "client_cpu_pct=%.0f server_cpu_pct=%.0f non2xx=%s errors=%s ok=%s"
          % (target, conns, real, rps.group(1) if rps else "nan", ms(50), ms(99), 100 * (user + system) / real,
             100 * (float(s1) - float(s0)) / real, non2xx.group(1) if non2xx else 0,
             '"' + errors.group(0).replace(" ", "_") + '"' if errors else "none", bool(rps) and not non2xx and not errors))


def noise(step, timing, j0, j1, s0, s1, cores):
    """Machine-wide CPU over one client run, split into the client, our servers and everything else."""
    user, system, real = map(float, open(timing).read().split()[-3:])
    busy0, total0 = map(float, j0.split())
    busy1, total1 = map(float, j1.split())
    machine = 100 * int(cores) * (busy1 - busy0) / max(1.0, total1 - total0)
    client = 100 * (user + system) / real
    servers = 100 * (float(s1) - float(s0)) / real
    print("NOISE step=%s wall_s=%.1f machine_cpu_pct=%.0f client_cpu_pct=%.0f our_servers_cpu_pct=%.0f others_cpu_pct=%.0f"
          % (step, real, machine, client, servers, max(0.0, machine - client - servers)))


def parse(path):
    rows, loads = [], []
    for line in open(path):
        if line.startswith("LOAD") or line.startswith("NOISE"):
            loads.append(line.strip())
        if not line.startswith("RESULT"):
            continue
        kv = {}
        for part in line.split()[1:]:
            if "=" in part:
                k, v = part.split("=", 1)
                kv[k] = v.strip('"')
        rows.append(kv)
    return rows, loads


def num(kv, key):
    try:
        return float(kv.get(key, "nan"))
    except ValueError:
        return float("nan")


def table(path):
    rows, loads = parse(path)
    http = [r for r in rows if r.get("scenario") == "http_wrk"]
    echo = [r for r in rows if r.get("scenario") == "echo"]
    print("| run | scenario | target | throughput | latency p50 / p99 ms | CPU % client / server / aux | CPU us per msg client / servers | ok |")
    print("|---|---|---|---|---|---|---|---|")
    n = {}
    for r in http:
        k = ("http", r["target"]); n[k] = n.get(k, 0) + 1
        per = lambda key: 1e4 * num(r, key) / num(r, "req_per_s")
        print("| %d | HTTP wrk -t2 -c%s | %s | %s req/s | %s / %s | %s / %s / - | %.1f / %.1f | %s |" % (
            n[k], r["conns"], r["target"], r["req_per_s"], r["p50_ms"], r["p99_ms"], r["client_cpu_pct"],
            r["server_cpu_pct"], per("client_cpu_pct"), per("server_cpu_pct"), r["ok"]))
    for r in echo:
        k = ("echo", r["target"], r["client"]); n[k] = n.get(k, 0) + 1
        aux = num(r, "aux_cpu_pct")
        servers = num(r, "server_cpu_pct") + (0 if aux != aux else aux)   # aux is nan ("na") when there is none
        rate = num(r, "msgs_per_s")
        print("| %d | WS echo %sx%s [%s] | %s | %s msg/s | %s / %s | %s / %s / %s | %.0f / %.0f | %s |" % (
            n[k], r["conns"], r["msgs_per_conn"], r["client"], r["target"], r["msgs_per_s"], r["rtt_p50_ms"],
            r["rtt_p99_ms"], r["client_cpu_pct"], r["server_cpu_pct"], r.get("aux_cpu_pct", "na"),
            1e4 * num(r, "client_cpu_pct") / rate, 1e4 * servers / rate, r["ok"]))
    print()
    # ratios from the same run, round by round
    gw = [num(r, "req_per_s") for r in http if r["target"] == "gateway"]
    bare = [num(r, "req_per_s") for r in http if r["target"] == "bare"]
    for i, (g, b) in enumerate(zip(gw, bare), 1):
        print("HTTP round %d: gateway / bare = %.0f / %.0f = %.1f %% (target >= 80 %%)" % (i, g, b, 100 * g / b))
    for client in ("java", "python"):
        two = [r for r in echo if r["target"] == "two-jvm" and r["client"] == client]
        daphne = [r for r in echo if r["target"] == "daphne" and r["client"] == client]
        for i, (t, d) in enumerate(zip(two, daphne), 1):
            print("WS round %d [%s]: two-jvm / daphne = %.0f / %.0f = %.2fx (target >= 3x), two-jvm p99 %.2f ms (target < 5)"
                  % (i, client, num(t, "msgs_per_s"), num(d, "msgs_per_s"), num(t, "msgs_per_s") / num(d, "msgs_per_s"),
                     num(t, "rtt_p99_ms")))
    for target in ("one-jvm", "two-jvm", "daphne", "calib"):
        for client in ("java", "python"):
            v = [num(r, "msgs_per_s") for r in echo if r["target"] == target and r["client"] == client]
            if v:
                print("median %s [%s]: %.0f msg/s over %d rounds" % (target, client, statistics.median(v), len(v)))
    print()
    print("Machine CPU during each client run (% of one core; others = processes not started by this run):")
    for l in loads:
        print("  " + l)


if __name__ == "__main__":
    if sys.argv[1] == "wrk":
        wrk(*sys.argv[2:8])
    elif sys.argv[1] == "noise":
        noise(*sys.argv[2:9])
    else:
        table(sys.argv[2])

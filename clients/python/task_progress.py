#!/usr/bin/env python3
"""Enqueues a task through the gateway's HTTP API and follows its progress over the TCP bridge.

It picks the task id itself (option ``task_id``) so that it can listen on the task's event address
(``switchboard.task.<id>``) before the task exists: no event is missed. Prints each event as one JSON line
and exits 0 when the task succeeds, 1 when it ends otherwise. Its ids are ``py-`` and 32 hex digits, so the
bridge need permit outbound only ``re:switchboard\\.task\\.py-[0-9a-f]{32}`` (not every task's events).

Usage: task_progress.py --http http://127.0.0.1:8080 [--bridge-port 7000] [--token JWT] long_running 3
"""

import argparse
import json
import os
import queue
import sys
import urllib.request
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from switchboard_bus import EventBus  # noqa: E402

FINAL = {"SUCCESS", "FAILURE", "REVOKED"}


def submit(http, name, args, task_id, token):
    body = json.dumps({"args": args, "options": {"task_id": task_id}}).encode()
    request = urllib.request.Request(http + "/api/tasks/" + name, data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    if token:
        request.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())["id"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--http", default="http://127.0.0.1:8080")
    parser.add_argument("--bridge-host", default="127.0.0.1")
    parser.add_argument("--bridge-port", type=int, default=7000)
    parser.add_argument("--token", default=os.environ.get("SWITCHBOARD_TOKEN"))
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("task")
    parser.add_argument("args", nargs="*", type=json.loads)
    options = parser.parse_args()
    task_id = "py-" + uuid.uuid4().hex
    events = queue.Queue(256)
    with EventBus(options.bridge_host, options.bridge_port, token=options.token) as bus:
        bus.register("switchboard.task." + task_id, lambda message: events.put(message.body))
        print(json.dumps({"submitted": submit(options.http, options.task, options.args, task_id, options.token)}),
              flush=True)
        while True:
            try:
                event = events.get(timeout=options.timeout)
            except queue.Empty:
                print(json.dumps({"error": "no event for %ss" % options.timeout}), flush=True)
                return 1
            print(json.dumps(event), flush=True)
            if event.get("state") in FINAL:
                return 0 if event["state"] == "SUCCESS" else 1


if __name__ == "__main__":
    sys.exit(main())

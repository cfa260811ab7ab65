#!/usr/bin/env python3
"""Checks the Python bridge client against a running bridge that hosts the polyglot test fixtures.

Run by deploy's PolyglotBridgeTest, which starts the gateway, the bridge and the JVM-side fixtures:
``polyglot.in.echo`` (replies {"echo": body}), ``polyglot.in.relay`` (re-publishes to ``polyglot.out.relay``),
``polyglot.in.ask`` (asks ``polyglot.out.service`` and replies with its answer), ``polyglot.in.fail``
(fails with 42). Permitted: inbound ``polyglot.in.*``, outbound ``polyglot.out.*``; ``polyglot.secret`` is not.

Usage: test_bus.py PORT   — prints one "ok ..." line per check and exits 0, or exits 1 at the first failure.
"""

import os
import queue
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from switchboard_bus import BusError, EventBus  # noqa: E402


def check(name, condition, detail=""):
    if not condition:
        print("FAILED %s %s" % (name, detail), flush=True)
        sys.exit(1)
    print("ok %s" % name, flush=True)


def expect_error(name, action, message):
    try:
        action()
    except BusError as error:
        check(name, message in error.message, "got %r" % error.message)
        return
    check(name, False, "no error raised")


def main(port):
    with EventBus("127.0.0.1", port, timeout=5) as bus:
        reply = bus.request("polyglot.in.echo", {"n": 1})
        check("request/reply", reply.body == {"echo": {"n": 1}}, repr(reply.body))

        relayed = queue.Queue()
        bus.register("polyglot.out.relay", lambda message: relayed.put(message.body))
        bus.send("polyglot.in.relay", {"via": "send"}, confirm=True)
        check("send + subscribe", relayed.get(timeout=5) == {"via": "send"})
        bus.publish("polyglot.in.relay", {"via": "publish"}, confirm=True)
        check("publish + subscribe", relayed.get(timeout=5) == {"via": "publish"})

        bus.register("polyglot.out.service", lambda message: message.reply({"answer": message.body["q"] * 2}))
        answer = bus.request("polyglot.in.ask", {"q": 21})
        check("the JVM requests a Python service", answer.body == {"answer": 42}, repr(answer.body))

        expect_error("a failed reply raises", lambda: bus.request("polyglot.in.fail", {}), "nope")
        expect_error("send to an unpermitted address is refused",
                     lambda: bus.send("polyglot.secret", {}, confirm=True), "access_denied")
        expect_error("register on an unpermitted address is refused",
                     lambda: bus.register("polyglot.secret", lambda message: None), "access_denied")
        expect_error("request to an unpermitted address is refused",
                     lambda: bus.request("switchboard.layer.local", {}), "access_denied")

        bus.unregister("polyglot.out.relay")
        bus.register("polyglot.out.relay", lambda message: relayed.put(("again", message.body)))
        bus.send("polyglot.in.relay", {"via": "re-register"}, confirm=True)
        check("unregister then register", relayed.get(timeout=5) == ("again", {"via": "re-register"}))
    print("python bridge client: all checks passed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1])))

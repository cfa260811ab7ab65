#!/usr/bin/env python3
"""A Switchboard WebSocket consumer written in Python: serves /ws/py-echo through the gateway.

It registers on the consumer's shared address over the TCP bridge, announces its route (``/ws/py-echo`` →
``py-echo``) to every gateway by publishing to ``switchboard.routes.announce`` (withdrawn when its connection
closes), answers each ``websocket.connect`` with an accept naming its own instance address, and answers every
text frame with ``py-echo: <text>`` by sending ``websocket.send`` to the connection's channel (its node's inbox).
The bridge must permit (see README, "Polyglot"):

    SWITCHBOARD_TCP_BRIDGE_OUTBOUND='re:switchboard\\.consumer\\.py-echo(\\..+)?'
    SWITCHBOARD_TCP_BRIDGE_INBOUND='switchboard.routes.announce,re:switchboard\\.inbox\\..+'
    SWITCHBOARD_TCP_BRIDGE_ROUTES='/ws/py-echo'

Usage: py_echo_consumer.py [--host 127.0.0.1] [--port 7000] [--token JWT]
Prints "py-echo ready" once registered; stops on SIGTERM/Ctrl-C or when the bridge goes away.
"""

import os
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from switchboard_bus import run_consumer  # noqa: E402

NAME = "py-echo"
SHARED_ADDRESS = "switchboard.consumer." + NAME
ROUTES = [{"kind": "websocket", "pattern": "/ws/py-echo", "consumer": NAME}]
MAX_CONNECTIONS = 10000


class PyEchoConsumer:
    def __init__(self, bus):
        self.bus = bus
        self.instance = SHARED_ADDRESS + "." + str(uuid.uuid4())
        self.node = "python-%d" % os.getpid()
        self.channels = set()

    def start(self):
        self.bus.register(self.instance, self.on_event)
        self.bus.register(SHARED_ADDRESS, self.on_connect)
        # after registering: a gateway that hears of the route finds the consumer listening
        self.bus.announce_routes(self.instance, ROUTES)

    def on_connect(self, message):
        event = message.body or {}
        channel = event.get("channel")
        if event.get("type") != "websocket.connect" or not channel:
            message.reply({"type": "websocket.close", "code": 1008, "reason": "expected websocket.connect"})
            return
        if len(self.channels) >= MAX_CONNECTIONS:
            message.reply({"type": "websocket.close", "code": 1013, "reason": "py-echo is full"})
            return
        self.channels.add(channel)
        message.reply({"type": "websocket.accept", "subprotocol": None, "instance": self.instance,
                       "node": self.node, "binary": False})

    def on_event(self, message):
        event = message.body or {}
        channel = event.get("channel")
        kind = event.get("type")
        if kind == "websocket.receive" and channel in self.channels and "text" in event:
            self.bus.send_to_channel(channel, {"type": "websocket.send", "text": "py-echo: " + event["text"]})
        elif kind == "websocket.disconnect":
            self.channels.discard(channel)


def main():
    return run_consumer(__doc__.splitlines()[0], NAME, lambda bus: PyEchoConsumer(bus).start())


if __name__ == "__main__":
    sys.exit(main())

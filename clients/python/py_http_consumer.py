#!/usr/bin/env python3
"""A Switchboard HTTP consumer written in Python: serves GET /py/hello/:name through the gateway.

The gateway relays HTTP over the event bus with ASGI's events. Over the TCP bridge this consumer:

1. registers on its shared address ``switchboard.consumer.py-hello`` and its own instance address, then announces
   ``{"kind": "http", "pattern": "/py/hello/:name", "consumer": "py-hello"}`` on ``switchboard.routes.announce``
   (withdrawn when its connection closes);
2. answers each ``http.request`` (the scope: ``request`` id, ``reply`` address, ``method``, ``path``, ``params``,
   ``query``, ``headers``, ``user``, and the first ``body`` part) with ``{"type": "http.accept", "instance": ...}``;
   further body parts (``more_body``) come to the instance address as requests, each answered to take the next;
3. sends ``http.response.start`` (``status``, ``headers``) to the ``reply`` address, then each
   ``http.response.body`` part as a request: the gateway answers once the part is written to the client, so the
   consumer never runs ahead of it. The last part has ``more_body`` false. Bodies are base64url (Vert.x Buffers).

The answer is a JSON object sent in three parts (``more_body``): {"hello": NAME, "from": "python", "parts": 3}.
The bridge must permit (see README, "Polyglot"):

    SWITCHBOARD_TCP_BRIDGE_OUTBOUND='re:switchboard\\.consumer\\.py-hello(\\..+)?'
    SWITCHBOARD_TCP_BRIDGE_INBOUND='switchboard.routes.announce,re:switchboard\\.http\\..+'
    SWITCHBOARD_TCP_BRIDGE_ROUTES='/py/hello/:name'

Usage: py_http_consumer.py [--host 127.0.0.1] [--port 7000] [--token JWT]
Prints "py-hello ready" once registered; stops on SIGTERM/Ctrl-C or when the bridge goes away.
"""

import json
import os
import sys
import threading
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from switchboard_bus import BusError, decode_bytes, encode_bytes, run_consumer  # noqa: E402

NAME = "py-hello"
SHARED_ADDRESS = "switchboard.consumer." + NAME
ROUTES = [{"kind": "http", "pattern": "/py/hello/:name", "consumer": NAME}]
MAX_REQUESTS = 1000
MAX_BODY_BYTES = 1024 * 1024


class PyHttpConsumer:
    def __init__(self, bus):
        self.bus = bus
        self.instance = SHARED_ADDRESS + "." + str(uuid.uuid4())
        self.node = "python-%d" % os.getpid()
        self.open = {}            # request id -> {"scope": ..., "body": bytearray}; touched on the dispatch thread
        self.lock = threading.Lock()

    def start(self):
        self.bus.register(self.instance, self.on_event)
        self.bus.register(SHARED_ADDRESS, self.on_request)
        # after registering: a gateway that hears of the route finds the consumer listening
        self.bus.announce_routes(self.instance, ROUTES)

    def on_request(self, message):
        scope = message.body or {}
        if scope.get("type") != "http.request" or not scope.get("request") or not scope.get("reply"):
            message.fail(400, "expected http.request with a request id and a reply address")
            return
        with self.lock:
            if len(self.open) >= MAX_REQUESTS:
                message.fail(503, "%s has %d requests open" % (NAME, MAX_REQUESTS))
                return
            self.open[scope["request"]] = {"scope": scope, "body": bytearray()}
        message.reply({"type": "http.accept", "instance": self.instance, "node": self.node})
        self.received(scope)

    def on_event(self, message):
        event = message.body or {}
        kind = event.get("type")
        if kind == "http.request":
            if message.reply_address:
                message.reply(None)   # take the next part
            self.received(event)
        elif kind == "http.disconnect":
            with self.lock:
                self.open.pop(event.get("request"), None)

    def received(self, event):
        with self.lock:
            exchange = self.open.get(event.get("request"))
            if exchange is None:
                return
            exchange["body"] += decode_bytes(event.get("body"))
            too_large = len(exchange["body"]) > MAX_BODY_BYTES
            if event.get("more_body") and not too_large:
                return
            del self.open[event["request"]]
        # the response streams on its own thread: waiting for the gateway's acks must not hold up other requests
        threading.Thread(target=self.respond, args=(exchange["scope"], too_large), daemon=True).start()

    def respond(self, scope, too_large):
        reply, request = scope["reply"], scope["request"]
        try:
            if too_large:
                self.send_json(reply, request, 413, {"error": "request body over %d bytes" % MAX_BODY_BYTES})
            elif scope.get("method") != "GET":
                self.send_json(reply, request, 405, {"error": "only GET is served here"})
            else:
                name = (scope.get("params") or {}).get("name", "")
                parts = ['{"hello": %s, ' % json.dumps(name), '"from": "python", ', '"parts": 3}']
                self.start_response(reply, request, 200, {"content-type": "application/json"})
                for i, part in enumerate(parts):
                    self.send_body(reply, request, part.encode("utf-8"), more=i < len(parts) - 1)
        except BusError as err:   # the client went away, or the gateway gave up on the request
            print("py-hello: %s %s not answered: %s" % (scope.get("method"), scope.get("path"), err), flush=True)

    def send_json(self, reply, request, status, body):
        self.start_response(reply, request, status, {"content-type": "application/json"})
        self.send_body(reply, request, json.dumps(body).encode("utf-8"), more=False)

    def start_response(self, reply, request, status, headers):
        self.bus.send(reply, {"type": "http.response.start", "request": request, "status": status, "headers": headers})

    def send_body(self, reply, request, data, more):
        self.bus.request(reply, {"type": "http.response.body", "request": request, "body": encode_bytes(data),
                                 "more_body": more}, timeout=30)


def main():
    return run_consumer(__doc__.splitlines()[0], NAME, lambda bus: PyHttpConsumer(bus).start())


if __name__ == "__main__":
    sys.exit(main())

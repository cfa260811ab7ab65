"""A client for Switchboard's TCP event-bus bridge, with the Python standard library only.

The wire format is vertx-tcp-eventbus-bridge's: each frame is a 4-byte big-endian length followed by that
many bytes of UTF-8 JSON. Client to bridge: ``send`` (with ``replyAddress`` for a request), ``publish``,
``register``, ``unregister``, ``ping``. Bridge to client: ``message``, ``err``, ``pong``.

    from switchboard_bus import EventBus

    with EventBus("127.0.0.1", 7000) as bus:           # token="JWT" when the bridge requires one
        bus.send("some.address", {"hello": "world"})
        reply = bus.request("some.service", {"q": 1}, timeout=5)
        bus.register("some.topic", lambda message: print(message.body))
        bus.publish("some.topic", {"news": True})

Handlers run one at a time on the client's dispatch thread, in arrival order; they may call ``send``,
``request`` and ``message.reply``. Replies to this client's own requests bypass the dispatch queue, so a
handler waiting on a request does not deadlock. Every operation that is refused by the bridge's permissions
(``access_denied``) raises :class:`BusError` from the next :meth:`EventBus.flush` (``register``, ``request``
and a ``send``/``publish`` with ``confirm=True`` flush by themselves).
"""

import argparse
import base64
import json
import os
import queue
import signal
import socket
import struct
import threading
import uuid

__all__ = ["EventBus", "Message", "BusError", "encode_bytes", "decode_bytes", "run_consumer"]

MAX_FRAME_BYTES = 16 * 1024 * 1024
DISPATCH_QUEUE = 1024


CHANNEL_PREFIX = "switchboard.channel."


def channel_inbox(channel):
    """The inbox address of the node owning ``channel`` (``switchboard.channel.<node>.<id>``)."""
    if not channel.startswith(CHANNEL_PREFIX) or "." not in channel[len(CHANNEL_PREFIX):]:
        raise ValueError("not a Switchboard channel name: %r" % channel)
    return "switchboard.inbox." + channel[len(CHANNEL_PREFIX):].split(".", 1)[0]


def encode_bytes(data):
    """Bytes as Vert.x JSON writes a Buffer (base64url, no padding): e.g. an ``http.response.body``'s ``body``."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def decode_bytes(text):
    """The bytes of a Buffer Vert.x wrote into JSON (base64url, padding optional); ``None`` gives ``b""``."""
    if not text:
        return b""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class BusError(Exception):
    """A refusal by the bridge (``access_denied``...), a failed reply, a timeout or a lost connection."""

    def __init__(self, message, failure_code=None, failure_type=None):
        super().__init__(message)
        self.message = message
        self.failure_code = failure_code
        self.failure_type = failure_type


class Message:
    """A message delivered to a handler, or the reply to a request."""

    def __init__(self, bus, frame):
        self._bus = bus
        self.address = frame.get("address")
        self.body = frame.get("body")
        self.headers = frame.get("headers") or {}
        self.reply_address = frame.get("replyAddress")
        self.is_send = frame.get("send", True)

    def reply(self, body, headers=None):
        """Answers a request (the sender is waiting on ``request``)."""
        if not self.reply_address:
            raise BusError("this message expects no reply")
        self._bus._write({"type": "send", "address": self.reply_address, "body": body, "headers": headers or {}})

    def fail(self, code, message):
        """Answers a request with a failure: the requester's ``request`` raises BusError(code, message)."""
        if not self.reply_address:
            raise BusError("this message expects no reply")
        self._bus._write({"type": "send", "address": self.reply_address, "failureCode": int(code), "message": message})

    def __repr__(self):
        return "Message(address=%r, body=%r)" % (self.address, self.body)


class _Waiter:
    def __init__(self):
        self.event = threading.Event()
        self.result = None
        self.error = None

    def settle(self, result=None, error=None):
        self.result, self.error = result, error
        self.event.set()

    def wait(self, timeout, what):
        if not self.event.wait(timeout):
            raise BusError("timed out after %ss waiting for %s" % (timeout, what), failure_type="TIMEOUT")
        if self.error is not None:
            raise self.error
        return self.result


class EventBus:
    """One TCP connection to the bridge. Thread-safe; use as a context manager or call close()."""

    def __init__(self, host="127.0.0.1", port=7000, token=None, timeout=10.0, on_error=None):
        self.host, self.port, self.timeout = host, port, timeout
        self._token = token
        self._on_error = on_error
        self._sock = None
        self._write_lock = threading.Lock()
        self._state_lock = threading.Lock()
        self._handlers = {}          # address -> [handler]
        self._replies = {}           # our reply address -> _Waiter (bounded by requests in flight)
        self._barriers = []          # _Waiter per ping in flight, oldest first
        self._denied = []            # refusals seen since the oldest barrier was sent
        self._inbox = queue.Queue(DISPATCH_QUEUE)
        self._closed = threading.Event()
        self.errors = []             # every error frame received, most recent last (kept to 100)

    # -- lifecycle ---------------------------------------------------------------------------------------

    def connect(self):
        self._sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
        self._sock.settimeout(None)
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=self._read_loop, name="switchboard-bus-reader", daemon=True).start()
        threading.Thread(target=self._dispatch_loop, name="switchboard-bus-dispatch", daemon=True).start()
        if self._token:
            # The bridge authenticates a connection by its first frame: a ping carrying the token.
            self.flush(headers={"authorization": "Bearer " + self._token})
        return self

    def close(self):
        if self._closed.is_set():
            return
        self._closed.set()
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._sock.close()
        self._inbox.put(None)

    def __enter__(self):
        return self.connect() if self._sock is None else self

    def __exit__(self, *exc):
        self.close()

    @property
    def closed(self):
        return self._closed.is_set()

    # -- operations --------------------------------------------------------------------------------------

    def send(self, address, body, headers=None, confirm=False):
        """Point-to-point: one consumer of ``address`` gets it. ``confirm`` waits until the bridge accepted it."""
        self._write({"type": "send", "address": address, "body": body, "headers": headers or {}})
        if confirm:
            self.flush()

    def send_to_channel(self, channel, event, confirm=False):
        """Sends a ``websocket.*`` event to a connection's channel: to the inbox of the node that owns it
        (``switchboard.inbox.<node>``, named in the channel), with the channel in the ``channel`` header."""
        self.send(channel_inbox(channel), event, headers={"channel": channel}, confirm=confirm)

    def publish(self, address, body, headers=None, confirm=False):
        """Every consumer of ``address`` gets it."""
        self._write({"type": "publish", "address": address, "body": body, "headers": headers or {}})
        if confirm:
            self.flush()

    def announce_routes(self, source, routes):
        """Announces the routes this client serves to every gateway of the cluster, e.g.
        ``[{"kind": "websocket", "pattern": "/ws/py-echo", "consumer": "py-echo"}]`` (``kind`` "websocket" or
        "http"). The bridge must permit ``switchboard.routes.announce`` inbound and list each pattern in
        ``tcpBridge.routes`` (SWITCHBOARD_TCP_BRIDGE_ROUTES). Announcing again from the same
        ``source`` replaces its routes, an empty list withdraws them; they are withdrawn when this connection
        closes. Raises BusError when the bridge refuses it."""
        self.publish("switchboard.routes.announce", {"source": source, "routes": list(routes)}, confirm=True)

    def request(self, address, body, timeout=None, headers=None):
        """Sends and waits for the reply: returns a Message, raises BusError on refusal, failure or timeout."""
        timeout = self.timeout if timeout is None else timeout
        reply_address = "py." + uuid.uuid4().hex
        waiter = _Waiter()
        hdrs = dict(headers or {})
        hdrs.setdefault("timeout", int(timeout * 1000))
        with self._state_lock:
            self._replies[reply_address] = waiter
        try:
            self._write({"type": "send", "address": address, "body": body, "headers": hdrs,
                         "replyAddress": reply_address})
            self.flush(timeout=timeout)
            return waiter.wait(timeout, "a reply from " + address)
        finally:
            with self._state_lock:
                self._replies.pop(reply_address, None)

    def register(self, address, handler):
        """Calls ``handler(message)`` for every message to ``address``; raises BusError if not permitted."""
        with self._state_lock:
            handlers = self._handlers.setdefault(address, [])
            handlers.append(handler)
            first = len(handlers) == 1
        if first:
            self._write({"type": "register", "address": address})
            try:
                self.flush()
            except BusError:
                with self._state_lock:
                    self._handlers.pop(address, None)
                raise

    def unregister(self, address, handler=None):
        """Removes ``handler`` (all handlers when None); the bridge registration ends with the last one."""
        with self._state_lock:
            handlers = self._handlers.get(address, [])
            if handler is None:
                handlers.clear()
            elif handler in handlers:
                handlers.remove(handler)
            last = not handlers
            if last:
                self._handlers.pop(address, None)
        if last:
            self._write({"type": "unregister", "address": address})
            self.flush()

    def flush(self, timeout=None, headers=None):
        """Waits until the bridge has handled everything sent so far; raises BusError if any of it was refused."""
        waiter = _Waiter()
        frame = {"type": "ping"}
        if headers:
            frame["headers"] = headers
        with self._state_lock:
            self._barriers.append(waiter)
        self._write(frame)
        return waiter.wait(self.timeout if timeout is None else timeout, "the bridge to answer a ping")

    # -- internals ---------------------------------------------------------------------------------------

    def _write(self, frame):
        if self._closed.is_set():
            raise BusError("the connection to the bridge is closed", failure_type="CLOSED")
        data = json.dumps(frame, separators=(",", ":")).encode("utf-8")
        with self._write_lock:
            self._sock.sendall(struct.pack(">I", len(data)) + data)

    def _read_exactly(self, n):
        chunks, remaining = [], n
        while remaining:
            chunk = self._sock.recv(min(remaining, 65536))
            if not chunk:
                raise EOFError("the bridge closed the connection")
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)

    def _read_loop(self):
        error = BusError("the connection to the bridge closed", failure_type="CLOSED")
        try:
            while not self._closed.is_set():
                (length,) = struct.unpack(">I", self._read_exactly(4))
                if length > MAX_FRAME_BYTES:
                    raise BusError("frame of %d bytes from the bridge is over the limit" % length)
                self._on_frame(json.loads(self._read_exactly(length).decode("utf-8")))
        except (OSError, EOFError, ValueError, BusError):
            pass
        finally:
            self._closed.set()
            with self._state_lock:
                waiters = list(self._replies.values()) + self._barriers
                self._replies.clear()
                self._barriers = []
            for waiter in waiters:
                waiter.settle(error=error)
            self._inbox.put(None)

    def _on_frame(self, frame):
        kind = frame.get("type")
        if kind == "pong":
            with self._state_lock:
                barrier = self._barriers.pop(0) if self._barriers else None
                denied, self._denied = self._denied, []
            if barrier is not None:
                barrier.settle(error=denied[0] if denied else None)
            return
        if kind == "err":
            error = BusError(frame.get("message", "error"), frame.get("failureCode"), frame.get("failureType"))
            self.errors.append(frame)
            del self.errors[:-100]
            with self._state_lock:
                waiter = self._replies.get(frame.get("address")) if frame.get("address") else None
                if waiter is None and not self._barriers and len(self._replies) == 1:
                    # The bridge may refuse a request after answering the ping that followed it (its
                    # permission hook can complete later): with one request outstanding, the error is its.
                    waiter = next(iter(self._replies.values()))
                if waiter is None:
                    # Kept for the next flush even if its ping is not written yet: the refusal can come back
                    # before the sender has queued the ping that confirms it.
                    self._denied.append(error)
                    del self._denied[:-100]
            if waiter is not None:
                waiter.settle(error=error)
            elif self._on_error is not None:
                self._on_error(frame)
            return
        if kind == "message":
            with self._state_lock:
                waiter = self._replies.get(frame.get("address"))
            if waiter is not None:
                waiter.settle(result=Message(self, frame))
            else:
                self._inbox.put(Message(self, frame))   # blocks when full: back-pressure on the socket

    def _dispatch_loop(self):
        while True:
            message = self._inbox.get()
            if message is None:
                return
            with self._state_lock:
                handlers = list(self._handlers.get(message.address, []))
            for handler in handlers:
                try:
                    handler(message)
                except Exception as exc:  # a handler's bug must not stop delivery to the others
                    if self._on_error is not None:
                        self._on_error({"type": "err", "message": "handler failed: %r" % (exc,)})


def run_consumer(description, name, start):
    """The main() of a consumer script: reads --host/--port/--token (or SWITCHBOARD_BRIDGE_HOST, _PORT,
    SWITCHBOARD_TOKEN), connects, calls ``start(bus)``, prints "NAME ready", and runs until SIGTERM/Ctrl-C
    (exit code 0) or until the bridge goes away (1)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--host", default=os.environ.get("SWITCHBOARD_BRIDGE_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("SWITCHBOARD_BRIDGE_PORT", "7000")))
    parser.add_argument("--token", default=os.environ.get("SWITCHBOARD_TOKEN"))
    args = parser.parse_args()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    with EventBus(args.host, args.port, token=args.token) as bus:
        start(bus)
        print(name + " ready", flush=True)
        while not stop.is_set() and not bus.closed:
            stop.wait(0.5)
    return 0 if stop.is_set() else 1

package dev.switchboard.gateway;

import dev.switchboard.shared.channels.AsgiWireCodec;
import dev.switchboard.shared.channels.LocalChannels;
import dev.switchboard.shared.channels.Outbox;
import dev.switchboard.api.protocol.Asgi;
import dev.switchboard.api.protocol.CloseCodes;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.function.Consumer;

/**
 * One client socket on the gateway. Its channel takes {@code websocket.send/close} from anyone, through this
 * node's inbox ({@code ChannelInbox}: no event-bus registration of its own); its frames go as
 * {@code websocket.receive} to the one consumer instance that accepted it, in order. Channel events and group
 * messages both arrive through its {@link Outbox}; a message of a type other than {@code websocket.*} goes on to
 * the consumer instance (Channels' {@code chat_message} style). Outbound bytes are bounded twice over by
 * {@code outboundQueueBytes}: the messages offered but not yet written (text by its length, binary by its size),
 * and the socket's write queue. A client that lets either fill is closed with 1013 and counted; so is one whose
 * consumer sends more than {@link #MAX_EARLY_EVENTS} events (or {@code outboundQueueBytes}) before the handshake
 * has completed. Heartbeats: {@link #heartbeat} pings it and closes it (1001) when it has been silent too long.
 *
 * <p>Kept small on purpose (one per socket, tens of thousands per node): no per-socket timers, queues created
 * only when needed.
 */
final class WebSocketConnection implements Outbox {

  /**
   * Events a consumer may send between its accept and the end of the handshake (chat sends its history then);
   * more, or more than {@code outboundQueueBytes} of them, closes the socket with 1013, counted, as a client too
   * slow to drain would be: never a silent drop.
   */
  static final int MAX_EARLY_EVENTS = 1024;
  private static final AtomicLongFieldUpdater<WebSocketConnection> PENDING =
      AtomicLongFieldUpdater.newUpdater(WebSocketConnection.class, "pendingBytes");
  /** The close code for a connection that ended without a close frame (RFC 6455, never sent on the wire). */
  private static final int ABNORMAL_CLOSURE = 1006;

  private final Vertx vertx;
  private final String channel;
  private final String route;
  private final GatewayMeters meters;
  private final int outboundQueueBytes;
  private final Consumer<WebSocketConnection> onClosed;
  private Queue<JsonObject> early;
  private long earlyBytes;
  private boolean earlyOverflow;
  private ServerWebSocket socket;
  private String instance;
  /** The shared address of the route's consumer, where the connect went. */
  private final String consumerAddress;
  private String consumerNode;
  private boolean binaryAllowed;
  private boolean closed;
  private volatile long pendingBytes;
  private volatile boolean finished;
  private boolean closedSlow;
  private final LocalChannels channels;
  private Context context;
  /** The event-loop thread {@code context} always runs on (public API: no context internals). */
  private Thread loop;
  private long lastHeardNanos;
  private long lastPingNanos;
  private boolean silenced;

  WebSocketConnection(Vertx vertx, LocalChannels channels, String channel, String route, String consumerAddress,
                      GatewayMeters meters, int outboundQueueBytes, Consumer<WebSocketConnection> onClosed) {
    this.vertx = vertx;
    this.channels = channels;
    this.channel = channel;
    this.route = route;
    this.consumerAddress = consumerAddress;
    this.meters = meters;
    this.outboundQueueBytes = outboundQueueBytes;
    this.onClosed = onClosed;
  }

  /**
   * Opens the channel on this node: from now on events sent to it (through the node's inbox) and group messages
   * reach this connection. Nothing is registered on the cluster, so this completes at once.
   */
  Future<Void> listen() {
    context = vertx.getOrCreateContext();
    loop = context.isEventLoopContext() ? Thread.currentThread() : null;
    channels.open(channel, this);
    return Future.succeededFuture();
  }

  @Override
  public String consumerAddress() {
    return consumerAddress;
  }

  /** Remembers who accepted the connect: every later event goes to that instance. */
  void acceptedBy(JsonObject reply) {
    // interned: a node has a handful of consumer instances and nodes, but each reply decodes fresh copies, kept
    // per socket for its whole life
    instance = intern(reply.getString(Asgi.INSTANCE));
    consumerNode = intern(reply.getString(Asgi.NODE));
    binaryAllowed = reply.getBoolean(Asgi.BINARY, false);
  }

  private static String intern(String s) {
    return s == null ? null : s.intern();
  }

  void open(ServerWebSocket ws) {
    socket = ws;
    meters.opened(route);
    ws.setWriteQueueMaxSize(outboundQueueBytes);
    EventBus bus = vertx.eventBus();
    lastHeardNanos = lastPingNanos = System.nanoTime();
    ws.textMessageHandler(text -> {
      lastHeardNanos = System.nanoTime();
      bus.send(instance, Asgi.receiveText(channel, text), AsgiWireCodec.DELIVERY);
    });
    ws.binaryMessageHandler(this::onBinary);
    ws.pongHandler(pong -> lastHeardNanos = System.nanoTime());
    ws.exceptionHandler(this::onSocketError);
    ws.closeHandler(v -> onSocketClosed());
    if (ws.isClosed()) {
      onSocketClosed(); // closed between the upgrade and now: the handler above will not be called
      return;
    }
    if (earlyOverflow) {
      closeTooSlow("more than " + MAX_EARLY_EVENTS + " events or " + outboundQueueBytes + " bytes before the handshake completed");
      early = null;
      return;
    }
    while (early != null && !early.isEmpty() && !closed) {
      deliver(early.poll());
    }
    early = null;
  }

  /**
   * Called by the gateway's heartbeat sweep on this connection's event loop: pings when the last ping is
   * {@code intervalNanos} old, and closes with 1001 a socket that has sent nothing, not even a pong, for two
   * intervals. Returns true when it closed it.
   */
  boolean heartbeat(long now, long intervalNanos) {
    if (socket == null || socket.isClosed() || closed || silenced) {
      return false;
    }
    if (now - lastHeardNanos >= 2 * intervalNanos) {
      silenced = true;
      // a half-open peer never answers the close frame: the server's WebSocket closing timeout (sized from the
      // ping interval in GatewayVerticle) then drops the TCP connection
      close(CloseCodes.GOING_AWAY, "no frame or pong for " + TimeUnit.NANOSECONDS.toMillis(2 * intervalNanos) + " ms");
      return true;
    }
    if (now - lastPingNanos >= intervalNanos && !socket.writeQueueFull()) {
      lastPingNanos = now;
      socket.writePing(Buffer.buffer());
    }
    return false;
  }

  /** Closes the socket with {@code code}; the consumer hears {@code websocket.disconnect}. */
  void close(short code, String reason) {
    if (socket != null && !socket.isClosed()) {
      socket.close(code, reason);
    }
  }

  /**
   * Ends a connection that never got its socket (the handshake was refused, timed out, or its client hung up
   * before the upgrade): the channel and its memberships go, the consumer instance that accepted it (if any) hears
   * {@code websocket.disconnect} with 1006 so it drops its state, and {@code onClosed} runs, as it does once for
   * every connection. Calling it again, or after the socket opened, does nothing.
   */
  void abandon() {
    if (closed || socket != null) {
      return;
    }
    closed = true;
    finished = true;
    early = null;
    channels.close(channel);
    if (instance != null) {
      vertx.eventBus().send(instance, Asgi.disconnect(channel, ABNORMAL_CLOSURE), AsgiWireCodec.DELIVERY);
    }
    onClosed.accept(this);
  }

  String channel() {
    return channel;
  }

  String route() {
    return route;
  }

  String consumerNode() {
    return consumerNode;
  }

  /**
   * The decoder fails a frame over the size limit (or otherwise corrupt) without a close frame; answer
   * with the status it names (1009 for too big), as does a message that outgrows the aggregate limit.
   */
  private void onSocketError(Throwable err) {
    if (err instanceof CorruptedWebSocketFrameException corrupted) {
      close((short) corrupted.closeStatus().code(), corrupted.closeStatus().reasonText());
    } else if (err instanceof IllegalStateException && String.valueOf(err.getMessage()).contains("max message size")) {
      close(CloseCodes.MESSAGE_TOO_BIG, "message too big");
    }
  }

  private void onBinary(Buffer bytes) {
    lastHeardNanos = System.nanoTime();
    if (!binaryAllowed) {
      close(CloseCodes.UNSUPPORTED_DATA, "binary messages are not accepted on this route");
      return;
    }
    vertx.eventBus().send(instance, Asgi.receiveBytes(channel, bytes), AsgiWireCodec.DELIVERY);
  }

  /**
   * Called by the channel layer's fan-out (from its loop) and by the instance inbox (on this socket's loop), from any
   * thread. On this socket's own loop the event is handled at once: everything queued on the loop before it has run,
   * so it keeps its place. Queuing it again would let a group message the fan-out offered while the inbox's event
   * waited on the loop overtake it: a consumer's send, then its group send, would reach the client reversed.
   */
  @Override
  public Result offer(JsonObject event) {
    if (finished) {
      return Result.CLOSED;
    }
    long weight = weight(event);
    if (PENDING.addAndGet(this, weight) > outboundQueueBytes) {
      PENDING.addAndGet(this, -weight);
      context.runOnContext(v -> closeTooSlow("outbound queue full"));
      return Result.TOO_SLOW;
    }
    if (Thread.currentThread() == loop) {
      PENDING.addAndGet(this, -weight);
      onOutbound(event, weight);
      return Result.DELIVERED;
    }
    context.runOnContext(v -> {
      PENDING.addAndGet(this, -weight);
      onOutbound(event, weight);
    });
    return Result.DELIVERED;
  }

  /** What an event costs the outbound bound: its payload (text length, or binary size) plus a fixed overhead. */
  static long weight(JsonObject event) {
    Object payload = event.getValue(Asgi.TEXT);
    if (payload == null) {
      payload = event.getValue(Asgi.BYTES);
      if (payload instanceof String base64) {   // bytes arrive base64-encoded from another node
        return 64 + base64.length() * 3L / 4;
      }
    }
    if (payload instanceof String text) {
      return 64 + text.length();
    }
    if (payload instanceof Buffer buffer) {
      return 64 + buffer.length();
    }
    if (payload instanceof byte[] bytes) {
      return 64 + bytes.length;
    }
    return 64;
  }

  private void onOutbound(JsonObject event, long weight) {
    if (closed) {
      return;
    }
    if (socket == null) {
      if (earlyOverflow) {
        return;
      }
      if (early == null) {
        early = new ArrayDeque<>();
      }
      earlyBytes += weight;
      if (early.size() >= MAX_EARLY_EVENTS || earlyBytes > outboundQueueBytes) {
        earlyOverflow = true;   // closed with 1013 as soon as the socket opens
        early = null;
        return;
      }
      early.add(event);
      return;
    }
    deliver(event);
  }

  private void deliver(JsonObject event) {
    switch (Asgi.type(event)) {
      case Asgi.SEND -> write(event);
      case Asgi.CLOSE -> close(event.getInteger(Asgi.CODE, (int) CloseCodes.NORMAL).shortValue(), event.getString(Asgi.REASON, ""));
      case Asgi.ACCEPT -> { } // after the handshake: nothing to do
      default -> forwardToConsumer(event);
    }
  }

  /** A group event such as {@code chat.message}: the consumer instance handles it for this connection. */
  private void forwardToConsumer(JsonObject event) {
    if (instance != null && !Asgi.type(event).startsWith("websocket.")) {
      vertx.eventBus().send(instance, event.copy().put(Asgi.CHANNEL, channel), AsgiWireCodec.DELIVERY);
    }
  }

  private void write(JsonObject event) {
    if (socket.isClosed()) {
      return;
    }
    if (socket.writeQueueFull()) {
      closeTooSlow("socket write queue full");
      return;
    }
    String text = event.getString(Asgi.TEXT);
    if (text != null) {
      socket.writeTextMessage(text);
    } else if (event.containsKey(Asgi.BYTES)) {
      socket.writeBinaryMessage(event.getBuffer(Asgi.BYTES));
    }
  }

  private void closeTooSlow(String why) {
    if (!closedSlow && socket != null && !socket.isClosed()) {
      closedSlow = true;
      finished = true;
      meters.overflowed(route);
      close(CloseCodes.TRY_AGAIN_LATER, "client too slow: " + why);
    }
  }

  private void onSocketClosed() {
    if (closed) {
      return;
    }
    closed = true;
    finished = true;
    channels.close(channel);
    Short status = socket.closeStatusCode();
    int code = status == null ? ABNORMAL_CLOSURE : status;
    meters.closed(route, code);
    vertx.eventBus().send(instance, Asgi.disconnect(channel, code), AsgiWireCodec.DELIVERY);
    onClosed.accept(this);
  }
}

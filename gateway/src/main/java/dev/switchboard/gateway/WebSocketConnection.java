package dev.switchboard.gateway;

import dev.switchboard.shared.channels.LayerStats;
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
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One client socket on the gateway. Its channel (a cluster-wide event-bus address) takes
 * {@code websocket.send/close} from anyone; its frames go as {@code websocket.receive} to the one consumer
 * instance that accepted it, in order. Group messages arrive through its {@link Outbox}, without the event
 * bus; a message of a type other than {@code websocket.*} goes on to the consumer instance (Channels'
 * {@code chat_message} style). Outbound bytes are bounded twice over by {@code outboundQueueBytes}: the
 * messages offered but not yet written, and the socket's write queue. A client that lets either fill is
 * closed with 1013 and counted.
 */
final class WebSocketConnection implements Outbox {

  /** Events a consumer may send between its accept and the end of the handshake. */
  private static final int MAX_EARLY_EVENTS = 64;
  /** The close code for a connection that ended without a close frame (RFC 6455, never sent on the wire). */
  private static final int ABNORMAL_CLOSURE = 1006;

  private final Vertx vertx;
  private final String channel;
  private final String route;
  private final GatewayMeters meters;
  private final int outboundQueueBytes;
  private final Consumer<WebSocketConnection> onClosed;
  private final Queue<JsonObject> early = new ArrayDeque<>();
  private MessageConsumer<JsonObject> inbox;
  private ServerWebSocket socket;
  private String instance;
  private String consumerNode;
  private boolean binaryAllowed;
  private boolean closed;
  private final AtomicLong pendingBytes = new AtomicLong();
  private volatile boolean finished;
  private boolean closedSlow;
  private Context context;

  WebSocketConnection(Vertx vertx, String channel, String route, GatewayMeters meters, int outboundQueueBytes,
                      Consumer<WebSocketConnection> onClosed) {
    this.vertx = vertx;
    this.channel = channel;
    this.route = route;
    this.meters = meters;
    this.outboundQueueBytes = outboundQueueBytes;
    this.onClosed = onClosed;
  }

  /** Registers the channel address cluster-wide; completes once anyone can send to it. */
  Future<Void> listen() {
    context = vertx.getOrCreateContext();
    inbox = vertx.eventBus().consumer(channel, message -> onOutbound(message.body()));
    return inbox.completion().onSuccess(v -> LocalChannels.of(vertx).open(channel, this));
  }

  /** Remembers who accepted the connect: every later event goes to that instance. */
  void acceptedBy(JsonObject reply) {
    instance = reply.getString(Asgi.INSTANCE);
    consumerNode = reply.getString(Asgi.NODE);
    binaryAllowed = reply.getBoolean(Asgi.BINARY, false);
  }

  void open(ServerWebSocket ws) {
    socket = ws;
    meters.opened(route);
    ws.setWriteQueueMaxSize(outboundQueueBytes);
    EventBus bus = vertx.eventBus();
    ws.textMessageHandler(text -> bus.send(instance, Asgi.receiveText(channel, text)));
    ws.binaryMessageHandler(this::onBinary);
    ws.exceptionHandler(this::onSocketError);
    ws.closeHandler(v -> onSocketClosed());
    if (ws.isClosed()) {
      onSocketClosed(); // closed between the upgrade and now: the handler above will not be called
      return;
    }
    while (!early.isEmpty() && !closed) {
      deliver(early.poll());
    }
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
    early.clear();
    LocalChannels.of(vertx).close(channel);
    if (instance != null) {
      vertx.eventBus().send(instance, Asgi.disconnect(channel, ABNORMAL_CLOSURE));
    }
    if (inbox != null) {
      inbox.unregister();
    }
    onClosed.accept(this);
  }

  String channel() {
    return channel;
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
    if (!binaryAllowed) {
      close(CloseCodes.UNSUPPORTED_DATA, "binary messages are not accepted on this route");
      return;
    }
    vertx.eventBus().send(instance, Asgi.receiveBytes(channel, bytes));
  }

  /** Called by the channel layer's fan-out, from any thread. */
  @Override
  public Result offer(JsonObject event) {
    if (finished) {
      return Result.CLOSED;
    }
    long weight = weight(event);
    if (pendingBytes.addAndGet(weight) > outboundQueueBytes) {
      pendingBytes.addAndGet(-weight);
      context.runOnContext(v -> closeTooSlow("outbound queue full"));
      return Result.TOO_SLOW;
    }
    context.runOnContext(v -> {
      pendingBytes.addAndGet(-weight);
      onOutbound(event);
    });
    return Result.DELIVERED;
  }

  private static long weight(JsonObject event) {
    String text = event.getString(Asgi.TEXT);
    return 64 + (text == null ? 0 : text.length());
  }

  private void onOutbound(JsonObject event) {
    if (closed) {
      return;
    }
    if (socket == null) {
      if (early.size() < MAX_EARLY_EVENTS) {
        early.add(event);
      }
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
      vertx.eventBus().send(instance, event.copy().put(Asgi.CHANNEL, channel));
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
      LayerStats.of(vertx).slowClientClosed();
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
    LocalChannels.of(vertx).close(channel);
    Short status = socket.closeStatusCode();
    int code = status == null ? ABNORMAL_CLOSURE : status;
    meters.closed(route, code);
    vertx.eventBus().send(instance, Asgi.disconnect(channel, code));
    inbox.unregister();
    onClosed.accept(this);
  }
}

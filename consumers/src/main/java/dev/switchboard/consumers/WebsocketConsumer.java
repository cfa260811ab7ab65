package dev.switchboard.consumers;

import dev.switchboard.shared.protocol.Asgi;
import dev.switchboard.shared.protocol.CloseCodes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * One WebSocket connection's consumer, Channels' {@code AsyncWebsocketConsumer} on Vert.x: a new instance
 * per connection, its hooks called one at a time, in the order the client sent, on an event loop.
 *
 * <p>Override {@link #connect()}, {@link #receive(String)}, {@link #receiveBytes(Buffer)} and
 * {@link #disconnect(int)}; call {@link #accept()}, {@link #send(String)} and {@link #close(int, String)}.
 * A hook's returned Future must complete before the next event is handed over; never block in a hook.
 * Delivery to the client is at most once, as in Channels.
 */
public abstract class WebsocketConsumer {

  private Vertx vertx;
  private JsonObject scope;
  private boolean accepted;
  private String subprotocol;
  private Integer rejectCode;

  final void bind(Vertx vertx, JsonObject connectEvent) {
    this.vertx = vertx;
    this.scope = connectEvent;
  }

  /** Called once when the client opens the socket; the default accepts it. Not accepting refuses the handshake (403). */
  protected Future<Void> connect() {
    accept();
    return Future.succeededFuture();
  }

  /** Called for each text message. */
  protected Future<Void> receive(String text) {
    return Future.succeededFuture();
  }

  /** Called for each binary message; only reaches consumers whose {@link #acceptsBinary()} is true. */
  protected Future<Void> receiveBytes(Buffer bytes) {
    return Future.succeededFuture();
  }

  /** Called once the socket is closed, by either side, with the close code. */
  protected Future<Void> disconnect(int code) {
    return Future.succeededFuture();
  }

  /** Text-only consumers (the default) have binary messages refused by the gateway with close 1003. */
  protected boolean acceptsBinary() {
    return false;
  }

  protected final void accept() {
    accept(null);
  }

  protected final void accept(String subprotocol) {
    this.accepted = true;
    this.subprotocol = subprotocol;
  }

  /** During connect, refuses the handshake; afterwards closes the socket with {@code code}. */
  protected final void close(int code, String reason) {
    if (!accepted) {
      rejectCode = code;
      return;
    }
    vertx.eventBus().send(channelName(), Asgi.close(code, reason));
  }

  protected final void close() {
    close(CloseCodes.NORMAL, "");
  }

  protected final void send(String text) {
    vertx.eventBus().send(channelName(), Asgi.sendText(text));
  }

  protected final void send(Buffer bytes) {
    vertx.eventBus().send(channelName(), Asgi.sendBytes(bytes));
  }

  /** This connection's channel: an event-bus address anyone on the cluster can send {@code websocket.*} events to. */
  public final String channelName() {
    return scope.getString(Asgi.CHANNEL);
  }

  /** The connect event: {@code path}, {@code params} (from the URL pattern), {@code query}, {@code headers}, {@code user}. */
  protected final JsonObject scope() {
    return scope;
  }

  /** A URL pattern parameter, e.g. {@code room} for {@code /ws/chat/:room}. */
  protected final String param(String name) {
    JsonObject params = scope.getJsonObject("params");
    return params == null ? null : params.getString(name);
  }

  protected final Vertx vertx() {
    return vertx;
  }

  final boolean accepted() {
    return accepted && rejectCode == null;
  }

  final String subprotocol() {
    return subprotocol;
  }
}

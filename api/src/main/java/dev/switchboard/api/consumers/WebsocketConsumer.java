package dev.switchboard.api.consumers;

import dev.switchboard.api.AppEnvironment;
import dev.switchboard.api.channels.ChannelLayer;
import dev.switchboard.api.protocol.Asgi;
import dev.switchboard.api.protocol.CloseCodes;
import dev.switchboard.api.tasks.TaskClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * One WebSocket connection's consumer, Channels' {@code AsyncWebsocketConsumer} on Vert.x: a new instance
 * per connection, its hooks called one at a time, in the order the client sent, on an event loop.
 *
 * <p>Override {@link #connect()}, {@link #receive(String)}, {@link #receiveBytes(Buffer)} and
 * {@link #disconnect(int)}; call {@link #accept()}, {@link #send(String)} and {@link #close(int, String)}.
 * A hook's returned Future must complete before the next event is handed over; never block in a hook.
 * Delivery to the client is at most once, as in Channels.
 *
 * <p>Groups: {@link #channelLayer()} is the cluster's channel layer. A group message whose type is not
 * {@code websocket.*} (say {@code chat.message}) reaches every member's consumer, which dispatches it on
 * its type to the handler registered with {@link #on} ({@code chat.message} → {@code chatMessage}), in
 * order with the connection's other events.
 *
 * <p>The runtime creates the instance with the factory given to {@link dev.switchboard.api.AppBuilder#websocket},
 * binds it through {@link ConsumerDriver}, and only then calls {@link #connect()}: the accessors below are usable
 * from {@code connect()} on, not in the constructor.
 */
public abstract class WebsocketConsumer {

  private final Map<String, Function<JsonObject, Future<Void>>> handlers = new HashMap<>();
  private AppEnvironment environment;
  private JsonObject scope;
  private boolean accepted;
  private String subprotocol;
  private Integer rejectCode;

  final void bind(AppEnvironment environment, JsonObject connectEvent) {
    this.environment = environment;
    this.scope = connectEvent;
  }

  /** Registers the handler for channel-layer messages of {@code type}, e.g. {@code on("chat.message", this::chatMessage)}. */
  protected final void on(String type, Function<JsonObject, Future<Void>> handler) {
    handlers.put(type, handler);
  }

  /** The handler for a channel-layer message's type, or null when none was registered. */
  final Function<JsonObject, Future<Void>> handler(JsonObject message) {
    return handlers.get(Asgi.type(message));
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
    channelLayer().send(channelName(), Asgi.close(code, reason));
  }

  protected final void close() {
    close(CloseCodes.NORMAL, "");
  }

  protected final void send(String text) {
    channelLayer().send(channelName(), Asgi.sendText(text));
  }

  protected final void send(Buffer bytes) {
    channelLayer().send(channelName(), Asgi.sendBytes(bytes));
  }

  /** This connection's channel: anyone on the cluster can send it {@code websocket.*} events ({@code ChannelLayer.send}). */
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
    return environment.vertx();
  }

  /** The channel layer: send to channels, join and leave groups, send to groups. */
  protected final ChannelLayer channelLayer() {
    return environment.channelLayer();
  }

  /** The node's task client; see {@link AppEnvironment#tasks()}. */
  protected final TaskClient tasks() {
    return environment.tasks();
  }

  /** The app's settings; see {@link AppEnvironment#settings()}. */
  protected final JsonObject settings() {
    return environment.settings();
  }

  /** Everything the node gives this app: also the PostgreSQL pool, see {@link AppEnvironment#pool()}. */
  protected final AppEnvironment environment() {
    return environment;
  }

  final boolean accepted() {
    return accepted && rejectCode == null;
  }

  final String subprotocol() {
    return subprotocol;
  }
}

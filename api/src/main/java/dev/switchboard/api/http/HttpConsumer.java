package dev.switchboard.api.http;

import dev.switchboard.api.channels.ChannelLayer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * One HTTP request's consumer, Channels' {@code AsyncHttpConsumer} on Vert.x: a new instance per request, on an
 * event loop of a consumers node, reached through the gateway over the event bus. Override {@link #handle} and
 * answer with {@link #sendResponse} (or {@link #sendJson}), or stream with {@link #sendHeaders} then
 * {@link #sendBody}({@code ..., true}) ... {@link #sendBody}({@code ..., false}). Never block in a hook.
 *
 * <p>Backpressure: each {@link #sendBody} Future completes once the gateway has written that part to the client; a
 * consumer that waits for it before sending more never outruns a slow client.
 *
 * <p>Server-sent events and other long responses: send the headers and a first part with {@code more} true, add
 * {@link #channelName()} to groups through {@link #channelLayer()}, and answer group messages in handlers registered
 * with {@link #on} ({@code chat.message} → {@code chatMessage}); they run one at a time, in order, like the
 * request's other hooks. When the client goes away, {@link #disconnect()} is called and the exchange's group
 * memberships vanish.
 */
public abstract class HttpConsumer {

  /** What the runtime gives a consumer; implemented by Switchboard, never by users. */
  public interface Session {
    Vertx vertx();

    ChannelLayer channelLayer();

    /** The exchange's channel name: add it to groups to receive their messages. */
    String channelName();

    /** The node's configuration, as JSON. */
    JsonObject config();

    Future<Void> start(int status, Map<String, String> headers);

    Future<Void> body(Buffer chunk, boolean more);

    /** Whether the response has started (headers sent). */
    boolean started();
  }

  private final Map<String, Function<JsonObject, Future<Void>>> handlers = new HashMap<>();
  private Session session;

  /** Called by the runtime once, before anything else. */
  public final void bind(Session session) {
    if (this.session != null) {
      throw new IllegalStateException("already bound");
    }
    this.session = session;
  }

  /** Answers the request; the Future completes when this hook is done (the response may go on, for a stream). */
  protected abstract Future<Void> handle(HttpRequest request);

  /** Called once when the client goes away before the response ended; the default does nothing. */
  protected Future<Void> disconnect() {
    return Future.succeededFuture();
  }

  /** Registers the handler for channel-layer messages of {@code type}, e.g. {@code on("chat.message", this::chatMessage)}. */
  protected final void on(String type, Function<JsonObject, Future<Void>> handler) {
    handlers.put(type, handler);
  }

  /** Runtime entry: the request. */
  public final Future<Void> serve(HttpRequest request) {
    return handle(request);
  }

  /** Runtime entry: a channel-layer message for this exchange; a type without a handler is skipped. */
  public final Future<Void> deliver(JsonObject message) {
    Function<JsonObject, Future<Void>> handler = handlers.get(message.getString("type", ""));
    return handler == null ? Future.succeededFuture() : handler.apply(message);
  }

  /** Runtime entry: the client went away. */
  public final Future<Void> disconnected() {
    return disconnect();
  }

  /** Starts the response: status and headers (Channels' {@code send_headers}). */
  protected final Future<Void> sendHeaders(int status, Map<String, String> headers) {
    return session.start(status, headers);
  }

  /** Sends a part of the body; {@code more} false ends the response (Channels' {@code send_body}). */
  protected final Future<Void> sendBody(Buffer body, boolean more) {
    return session.body(body, more);
  }

  protected final Future<Void> sendBody(String text, boolean more) {
    return session.body(Buffer.buffer(text), more);
  }

  /** The whole response at once (Channels' {@code send_response}). */
  protected final Future<Void> sendResponse(int status, Buffer body, Map<String, String> headers) {
    return session.start(status, headers).compose(v -> session.body(body, false));
  }

  /** A JSON response ({@code application/json}). */
  protected final Future<Void> sendJson(int status, Object json) {
    Buffer body = json instanceof JsonObject object ? object.toBuffer() : Buffer.buffer(io.vertx.core.json.Json.encode(json));
    return sendResponse(status, body, Map.of("content-type", "application/json"));
  }

  /** An error in the gateway's JSON shape, {@code {"error": message, "status": status}}. */
  protected final Future<Void> sendError(int status, String message) {
    return sendJson(status, new JsonObject().put("error", message).put("status", status));
  }

  /** Whether the response has started. */
  protected final boolean responseStarted() {
    return session.started();
  }

  protected final Vertx vertx() {
    return session.vertx();
  }

  /** The channel layer: send to channels, join and leave groups, send to groups. */
  protected final ChannelLayer channelLayer() {
    return session.channelLayer();
  }

  /** This exchange's channel name, for {@link ChannelLayer#groupAdd}. */
  protected final String channelName() {
    return session.channelName();
  }

  /** The node's configuration, as JSON. */
  protected final JsonObject config() {
    return session.config();
  }
}

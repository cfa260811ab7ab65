package dev.switchboard.api.http;

import dev.switchboard.api.AppEnvironment;
import dev.switchboard.api.channels.ChannelLayer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * An HTTP consumer, Channels' {@code AsyncHttpConsumer}: one instance per request, served on any node of the
 * cluster over the event bus (ASGI {@code http.request} → {@code http.response.start} / {@code http.response.body}).
 * Override {@link #handle(HttpRequest)}; answer with {@link #sendResponse} (or {@link #sendJson}) or, streaming,
 * {@link #sendHeaders} then {@link #sendBody} with {@code more = true} until the last chunk. Never block in a hook.
 *
 * <p>Backpressure: each {@link #sendBody} Future completes once the gateway has written that chunk to the client; a
 * consumer that waits for it before sending more never runs ahead of a slow client.
 *
 * <p>Server-sent events and other long responses: send the headers and a first chunk with {@code more} true, add
 * {@link #channelName()} to groups through {@link #channelLayer()}, and answer group messages in handlers registered
 * with {@link #on} ({@code chat.message} → {@code chatMessage}); they run one at a time, in order, after
 * {@link #handle}. When the client goes away, {@link #disconnect()} is called and the exchange's group memberships
 * vanish with it.
 */
public abstract class HttpConsumer {

  private final Map<String, Function<JsonObject, Future<Void>>> handlers = new HashMap<>();
  private AppEnvironment environment;
  private HttpResponder responder;

  final void bind(AppEnvironment environment, HttpResponder responder) {
    this.environment = environment;
    this.responder = responder;
  }

  /** Called once per request; the returned Future completes when this hook is done (a stream may go on after it). */
  protected abstract Future<Void> handle(HttpRequest request);

  /** Called once when the client goes away before the response ended; the default does nothing. */
  protected Future<Void> disconnect() {
    return Future.succeededFuture();
  }

  /** Registers the handler for channel-layer messages of {@code type}, e.g. {@code on("chat.message", this::chatMessage)}. */
  protected final void on(String type, Function<JsonObject, Future<Void>> handler) {
    handlers.put(type, handler);
  }

  final Future<Void> deliver(JsonObject message) {
    Function<JsonObject, Future<Void>> handler = handlers.get(message.getString("type", ""));
    return handler == null ? Future.succeededFuture() : handler.apply(message);
  }

  /** Starts the response: status and headers (Channels' {@code send_headers}). */
  protected final Future<Void> sendHeaders(int status, Map<String, String> headers) {
    return responder.start(status, headers);
  }

  /** One chunk of the body; {@code more = false} ends the response (Channels' {@code send_body}). */
  protected final Future<Void> sendBody(Buffer chunk, boolean more) {
    return responder.body(chunk, more);
  }

  /** One chunk of text (UTF-8). */
  protected final Future<Void> sendBody(String text, boolean more) {
    return responder.body(Buffer.buffer(text), more);
  }

  /** The whole response at once (Channels' {@code send_response}). */
  protected final Future<Void> sendResponse(int status, Buffer body, Map<String, String> headers) {
    return sendHeaders(status, headers).compose(v -> sendBody(body, false));
  }

  /** A JSON response ({@code content-type: application/json}) of a JsonObject, JsonArray, or anything Json encodes. */
  protected final Future<Void> sendJson(int status, Object body) {
    Buffer json = body instanceof JsonObject object ? object.toBuffer() : Buffer.buffer(io.vertx.core.json.Json.encode(body));
    return sendResponse(status, json, Map.of("content-type", "application/json"));
  }

  /** An error in the gateway's own JSON shape, {@code {"error": message, "status": status}}. */
  protected final Future<Void> sendError(int status, String message) {
    return sendJson(status, new JsonObject().put("error", message).put("status", status));
  }

  /** Whether the response has started. */
  protected final boolean responseStarted() {
    return responder.started();
  }

  /** This exchange's channel name, for {@link ChannelLayer#groupAdd}. */
  protected final String channelName() {
    return responder.channelName();
  }

  /** Everything the node gives this app: vertx, channel layer, tasks, settings, pool. */
  protected final AppEnvironment environment() {
    return environment;
  }

  protected final Vertx vertx() {
    return environment.vertx();
  }

  /** The channel layer: send to channels, join and leave groups, send to groups. */
  protected final ChannelLayer channelLayer() {
    return environment.channelLayer();
  }
}

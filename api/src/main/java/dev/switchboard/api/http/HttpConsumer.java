package dev.switchboard.api.http;

import dev.switchboard.api.AppEnvironment;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * An HTTP consumer, Channels' {@code AsyncHttpConsumer}: one instance per request, served on any node of the
 * cluster over the event bus (ASGI {@code http.request} → {@code http.response.start} / {@code http.response.body}).
 * Override {@link #handle(HttpRequest)}; answer with {@link #sendResponse} or, streaming, {@link #sendHeaders} then
 * {@link #sendBody} with {@code more = true} until the last chunk. Never block in {@link #handle}.
 */
public abstract class HttpConsumer {

  private AppEnvironment environment;
  private HttpResponder responder;

  final void bind(AppEnvironment environment, HttpResponder responder) {
    this.environment = environment;
    this.responder = responder;
  }

  /** Called once per request; the returned Future completes when the consumer is done with it. */
  protected abstract Future<Void> handle(HttpRequest request);

  /** Starts the response: status and headers. */
  protected final Future<Void> sendHeaders(int status, Map<String, String> headers) {
    return responder.start(status, headers);
  }

  /** One chunk of the body; {@code more = false} ends the response. */
  protected final Future<Void> sendBody(Buffer chunk, boolean more) {
    return responder.body(chunk, more);
  }

  /** The whole response at once. */
  protected final Future<Void> sendResponse(int status, Buffer body, Map<String, String> headers) {
    return sendHeaders(status, headers).compose(v -> sendBody(body, false));
  }

  /** A JSON response ({@code content-type: application/json}). */
  protected final Future<Void> sendJson(int status, JsonObject body) {
    return sendResponse(status, body.toBuffer(), Map.of("content-type", "application/json"));
  }

  /** Everything the node gives this app: vertx, channel layer, tasks, settings, pool. */
  protected final AppEnvironment environment() {
    return environment;
  }
}

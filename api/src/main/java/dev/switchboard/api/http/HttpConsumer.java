package dev.switchboard.api.http;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import java.util.Map;

/**
 * An HTTP consumer, Channels' {@code AsyncHttpConsumer}: one instance per request, served on any node of the
 * cluster over the event bus (ASGI {@code http.request} → {@code http.response.start} / {@code http.response.body}).
 * Override {@link #handle(HttpRequest)}; answer with {@link #sendResponse} or, streaming, {@link #sendHeaders} then
 * {@link #sendBody} with {@code more = true} until the last chunk. Never block in {@link #handle}.
 *
 * <p>Minimal shape of the app API, so that apps can declare HTTP routes; the HTTP-over-the-bus runtime (issue 10's
 * plumbing) binds and serves it.
 */
public abstract class HttpConsumer {

  /** Called once per request; the returned Future completes when the consumer is done with it. */
  protected abstract Future<Void> handle(HttpRequest request);

  /** Starts the response: status and headers. */
  protected final Future<Void> sendHeaders(int status, Map<String, String> headers) {
    return Future.failedFuture(new IllegalStateException("no HTTP consumer runtime on this node"));
  }

  /** One chunk of the body; {@code more = false} ends the response. */
  protected final Future<Void> sendBody(Buffer body, boolean more) {
    return Future.failedFuture(new IllegalStateException("no HTTP consumer runtime on this node"));
  }

  /** The whole response at once. */
  protected final Future<Void> sendResponse(int status, Buffer body, Map<String, String> headers) {
    return sendHeaders(status, headers).compose(v -> sendBody(body, false));
  }

  /** A JSON response ({@code content-type: application/json}). */
  protected final Future<Void> sendJson(int status, Object json) {
    return sendResponse(status, Buffer.buffer(Json.encode(json)), Map.of("content-type", "application/json"));
  }
}

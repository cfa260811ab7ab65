package dev.switchboard.api.http;

import dev.switchboard.api.AppEnvironment;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * The runtime's side of an {@link HttpConsumer}: binds an instance to one request's responder and calls its hooks.
 * Switchboard's consumer runtime (or a test kit) uses it; an app never needs to. Use it from the event loop that
 * serves the exchange, one call at a time, waiting for each returned Future.
 */
public final class HttpConsumerDriver {

  private HttpConsumerDriver() {
  }

  /** Binds {@code consumer} and calls its {@code handle}; a hook that throws fails the Future instead. */
  public static Future<Void> serve(HttpConsumer consumer, AppEnvironment environment, HttpResponder responder,
                                   HttpRequest request) {
    consumer.bind(environment, responder);
    return safely(() -> consumer.handle(request));
  }

  /** Hands a channel-layer message for the exchange to its handler ({@code on(type, ...)}); none: completes at once. */
  public static Future<Void> deliver(HttpConsumer consumer, JsonObject message) {
    return safely(() -> consumer.deliver(message));
  }

  /** The client went away before the response ended. */
  public static Future<Void> disconnected(HttpConsumer consumer) {
    return safely(consumer::disconnect);
  }

  private static Future<Void> safely(java.util.function.Supplier<Future<Void>> hook) {
    try {
      Future<Void> result = hook.get();
      return result == null ? Future.succeededFuture() : result;
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }
}

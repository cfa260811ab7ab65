package dev.switchboard.api.http;

import dev.switchboard.api.AppEnvironment;
import io.vertx.core.Future;

/** The runtime's side of an {@link HttpConsumer}: binds an instance to one request's responder and runs it. */
public final class HttpConsumerDriver {

  private HttpConsumerDriver() {
  }

  /** Binds {@code consumer} and calls its {@code handle}; a hook that throws fails the Future instead. */
  public static Future<Void> serve(HttpConsumer consumer, AppEnvironment environment, HttpResponder responder,
                                   HttpRequest request) {
    consumer.bind(environment, responder);
    try {
      return consumer.handle(request);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }
}

package dev.switchboard.gateway;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;

/**
 * The first event of a relayed connection or request, sent to a consumer's shared address. A consumer that has just
 * been announced may not be known on this node's event bus yet (registrations propagate asynchronously), so "no
 * handlers" is retried with backoff until the deadline.
 */
final class ConsumerRequests {

  private ConsumerRequests() {
  }

  static Future<Message<JsonObject>> request(Vertx vertx, String address, JsonObject event, long deadline) {
    return request(vertx, address, event, deadline, 20);
  }

  private static Future<Message<JsonObject>> request(Vertx vertx, String address, JsonObject event, long deadline, long backoffMs) {
    long remaining = deadline - System.currentTimeMillis();
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(Math.max(1, remaining));
    return vertx.eventBus().<JsonObject>request(address, event, options).recover(err -> {
      if (!isNoHandlers(err) || System.currentTimeMillis() + backoffMs >= deadline) {
        return Future.failedFuture(err);
      }
      return vertx.timer(backoffMs).compose(t -> request(vertx, address, event, deadline, Math.min(backoffMs * 2, 500)));
    });
  }

  static boolean isNoHandlers(Throwable err) {
    return err instanceof ReplyException reply && reply.failureType() == ReplyFailure.NO_HANDLERS;
  }

  static boolean isTimeout(Throwable err) {
    return err instanceof ReplyException reply && reply.failureType() == ReplyFailure.TIMEOUT;
  }

  /** The status a consumer failed a request with ({@code message.fail(code, ...)}), or -1. */
  static int failureCode(Throwable err) {
    return err instanceof ReplyException reply && reply.failureType() == ReplyFailure.RECIPIENT_FAILURE ? reply.failureCode() : -1;
  }
}

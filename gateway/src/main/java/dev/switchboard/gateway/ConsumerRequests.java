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
 * handlers" is retried with backoff, but only until {@link #REGISTRATION_GRACE_MS} after the route was announced:
 * past that, a route with no instance answers at once (503) instead of holding the client until the deadline.
 */
final class ConsumerRequests {

  /** How long after its route's announcement a consumer's registration may still be on its way here. */
  static final long REGISTRATION_GRACE_MS = 2_000;

  private ConsumerRequests() {
  }

  /**
   * Sends {@code event} to {@code address}, failing at {@code deadline}; "no handlers" is retried until
   * {@code registeredBy} (or the deadline, if sooner).
   */
  static Future<Message<JsonObject>> request(Vertx vertx, String address, JsonObject event, long deadline, long registeredBy) {
    return request(vertx, address, event, deadline, Math.min(deadline, registeredBy), 20);
  }

  private static Future<Message<JsonObject>> request(Vertx vertx, String address, JsonObject event, long deadline,
                                                     long retryUntil, long backoffMs) {
    long remaining = deadline - System.currentTimeMillis();
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(Math.max(1, remaining));
    return vertx.eventBus().<JsonObject>request(address, event, options).recover(err -> {
      if (!isNoHandlers(err) || System.currentTimeMillis() + backoffMs >= retryUntil) {
        return Future.failedFuture(err);
      }
      return vertx.timer(backoffMs).compose(t -> request(vertx, address, event, deadline, retryUntil, Math.min(backoffMs * 2, 500)));
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

package dev.switchboard.shared.context;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

/**
 * Hands a shared client's result back to the context that asked for it. A client shared by several event loops
 * (one task client per node, one notify subscription, one Redis connection) completes its own futures on its own
 * context; a caller that composed on such a future would go on, and write its HTTP response or WebSocket frame,
 * from that other event loop, which the gateway's strict-thread-mode HTTP server refuses. Public API only: the
 * caller's context is captured when the call is made, and the outcome re-dispatched with {@code runOnContext}
 * unless it already arrives on the caller's event-loop thread.
 */
public final class CallerContext {

  private CallerContext() {
  }

  /** {@code work}, completing on the calling context (as is, when called off any context). */
  public static <T> Future<T> of(Future<T> work) {
    return on(Vertx.currentContext(), work);
  }

  /** {@code work}, completing on {@code caller} (as is when {@code caller} is null). */
  public static <T> Future<T> on(Context caller, Future<T> work) {
    if (caller == null) {
      return work;
    }
    // the caller's event-loop thread, when this call runs on it: an outcome arriving there needs no hop
    Thread callerThread = caller.isEventLoopContext() && Vertx.currentContext() == caller
        ? Thread.currentThread() : null;
    if (work.isComplete() && callerThread != null) {
      return settled(work);
    }
    Promise<T> back = Promise.promise(); // no context of its own: listeners run where it is completed
    work.onComplete(outcome -> {
      if (callerThread != null && Thread.currentThread() == callerThread) {
        back.handle(outcome);
      } else {
        caller.runOnContext(v -> back.handle(outcome));
      }
    });
    return back.future();
  }

  /** A completed future bound to no context: its listeners run at once, on the thread that adds them. */
  private static <T> Future<T> settled(Future<T> done) {
    return done.succeeded() ? Future.succeededFuture(done.result()) : Future.failedFuture(done.cause());
  }
}

package dev.switchboard.deploy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.function.Supplier;

/** Re-checks a condition on Vert.x timers (never a sleep) until it holds or the time runs out. */
final class Eventually {

  private Eventually() {
  }

  static Future<Void> eventually(Vertx vertx, long timeoutMs, Supplier<Future<Boolean>> check) {
    long deadline = System.currentTimeMillis() + timeoutMs;
    return check.get().recover(err -> Future.succeededFuture(false)).compose(done -> {
      if (done) {
        return Future.succeededFuture();
      }
      if (System.currentTimeMillis() > deadline) {
        return Future.failedFuture(new AssertionError("condition not met within " + timeoutMs + " ms"));
      }
      return vertx.timer(100).compose(v -> eventually(vertx, deadline - System.currentTimeMillis(), check));
    });
  }
}

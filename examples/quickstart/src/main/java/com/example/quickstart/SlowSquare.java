package com.example.quickstart;

import dev.switchboard.api.tasks.TaskContext;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

/**
 * Task {@code quickstart.slow_square(n)}: three steps of 200 ms, reporting progress after each, then records n*n in
 * the app's table {@code quickstart_squares} (when the node gives it a database) and returns it.
 */
public final class SlowSquare {

  static final int STEPS = 3;
  static final long STEP_MS = 200;
  static final String RECORD = "INSERT INTO quickstart_squares (n, square) VALUES ($1, $2) "
      + "ON CONFLICT (n) DO UPDATE SET requests = quickstart_squares.requests + 1, last_asked = now()";

  private SlowSquare() {
  }

  public static Future<Object> run(TaskContext context) {
    long n = context.args().getLong(0);
    long square = Math.multiplyExact(n, n);
    return step(context, 1)
        .compose(v -> context.pool().map(pool -> record(pool, n, square)).orElse(Future.succeededFuture()))
        .map(v -> square);
  }

  private static Future<Void> step(TaskContext context, int i) {
    if (i > STEPS) {
      return Future.succeededFuture();
    }
    // a timer, not a sleep: async task bodies run on the worker's event loop and must never block it
    return context.vertx().timer(STEP_MS).compose(v -> context.progress(i, STEPS)).compose(v -> step(context, i + 1));
  }

  private static Future<Void> record(Pool pool, long n, long square) {
    return pool.preparedQuery(RECORD).execute(Tuple.of(n, square)).mapEmpty();
  }
}

package com.example.quickstart;

import dev.switchboard.api.tasks.TaskContext;
import io.vertx.core.Future;

/** Task {@code quickstart.slow_square(n)}: three steps of 200 ms, reporting progress after each, then returns n*n. */
public final class SlowSquare {

  static final int STEPS = 3;
  static final long STEP_MS = 200;

  private SlowSquare() {
  }

  public static Future<Object> run(TaskContext context) {
    long n = context.args().getLong(0);
    return step(context, 1).map(v -> n * n);
  }

  private static Future<Void> step(TaskContext context, int i) {
    if (i > STEPS) {
      return Future.succeededFuture();
    }
    // a timer, not a sleep: async task bodies run on the worker's event loop and must never block it
    return context.vertx().timer(STEP_MS).compose(v -> context.progress(i, STEPS)).compose(v -> step(context, i + 1));
  }
}

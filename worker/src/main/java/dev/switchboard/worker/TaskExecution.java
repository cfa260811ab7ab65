package dev.switchboard.worker;

import dev.switchboard.api.tasks.TaskDefinition;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Duration;

/**
 * Runs one attempt of a task under its time limits: async bodies on the calling event loop, blocking bodies on
 * the worker pool. At the soft limit the task is told ({@link WorkerTaskContext#softTimeLimitExceeded()}, thread
 * interrupt); at the hard limit the attempt fails with {@link TimeLimitExceeded}. An async body is abandoned
 * there (nothing of it runs but callbacks, which find the context cancelled). A blocking body cannot be stopped
 * from outside: it is interrupted and cancelled, but the attempt only ends (settles, frees its slot, lets a
 * retry be scheduled) once the thread has returned, so two copies of one task never run at once.
 */
final class TaskExecution {

  private final Vertx vertx;
  private final WorkerExecutor pool;
  private final TaskDefinition definition;
  private final WorkerTaskContext context;
  private final ClaimedTask task;
  /** Set when the hard time limit passed. */
  private TimeLimitExceeded exceeded;

  TaskExecution(Vertx vertx, WorkerExecutor pool, TaskDefinition definition, ClaimedTask task, WorkerTaskContext context) {
    this.vertx = vertx;
    this.pool = pool;
    this.definition = definition;
    this.task = task;
    this.context = context;
  }

  Future<Object> run() {
    Promise<Object> outcome = Promise.promise();
    Duration softLimit = task.options().softTimeLimit();
    Duration hardLimit = task.options().timeLimit();
    // most tasks have no limits: then no timers, and no callbacks built for them
    long soft = softLimit == null ? -1 : timer(softLimit, id -> context.softLimitReached());
    long hard = hardLimit == null ? -1 : timer(hardLimit, id -> {
      exceeded = new TimeLimitExceeded("task " + task.name() + "[" + task.id() + "] ran past its time limit of "
          + hardLimit.toMillis() + " ms");
      context.cancel();
      if (!definition.isBlocking()) {
        outcome.tryFail(exceeded);
      }
    });
    // both callbacks run on this verticle's event loop, so exceeded needs no more care than that
    body().onComplete(result -> {
      if (exceeded != null) {
        outcome.tryFail(exceeded);
      } else if (result.succeeded()) {
        outcome.tryComplete(result.result());
      } else {
        outcome.tryFail(result.cause());
      }
    });
    if (soft == -1 && hard == -1) {
      return outcome.future();
    }
    return outcome.future().andThen(done -> {
      vertx.cancelTimer(soft);
      vertx.cancelTimer(hard);
    });
  }

  private Future<Object> body() {
    if (definition.isBlocking()) {
      return pool.executeBlocking(() -> {
        context.runningOn(Thread.currentThread());
        try {
          return definition.blocking().run(context);
        } finally {
          context.runningOn(null);
          Thread.interrupted(); // never hand a pool thread back with the interrupt flag set
        }
      }, false);
    }
    try {
      Future<?> result = definition.async().run(context);
      return result == null ? Future.succeededFuture() : result.map(value -> (Object) value);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private long timer(Duration limit, io.vertx.core.Handler<Long> action) {
    return vertx.setTimer(Math.max(1, limit.toMillis()), action);
  }
}

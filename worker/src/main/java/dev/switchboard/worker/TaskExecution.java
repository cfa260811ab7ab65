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

  TaskExecution(Vertx vertx, WorkerExecutor pool, TaskDefinition definition, ClaimedTask task, WorkerTaskContext context) {
    this.vertx = vertx;
    this.pool = pool;
    this.definition = definition;
    this.task = task;
    this.context = context;
  }

  Future<Object> run() {
    Promise<Object> outcome = Promise.promise();
    long soft = timer(task.options().softTimeLimit(), id -> context.softLimitReached());
    TimeLimitExceeded[] exceeded = new TimeLimitExceeded[1];
    long hard = timer(task.options().timeLimit(), id -> {
      exceeded[0] = new TimeLimitExceeded("task " + task.name() + "[" + task.id() + "] ran past its time limit of "
          + task.options().timeLimit().toMillis() + " ms");
      context.cancel();
      if (!definition.isBlocking()) {
        outcome.tryFail(exceeded[0]);
      }
    });
    // both callbacks run on this verticle's event loop, so exceeded[0] needs no more care than that
    body().onComplete(result -> {
      if (exceeded[0] != null) {
        outcome.tryFail(exceeded[0]);
      } else if (result.succeeded()) {
        outcome.tryComplete(result.result());
      } else {
        outcome.tryFail(result.cause());
      }
    });
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
    return limit == null ? -1 : vertx.setTimer(Math.max(1, limit.toMillis()), action);
  }
}

package dev.switchboard.api.tasks;

import io.vertx.core.Future;

/**
 * A task a worker can run: its name, its signature (checked by clients before a call is queued), its body,
 * and optionally a cluster-wide rate limit. The body is either {@link Async} (returns a Future, runs on the
 * worker's event loop, must never block) or {@link Blocking} (runs on the worker's bounded blocking pool).
 * Results must be JSON values: null, a number, string, boolean, JsonObject or JsonArray.
 */
public record TaskDefinition(String name, TaskSignature signature, Async async, Blocking blocking, RateLimit rateLimit) {

  /** A non-blocking body; its Future's value is the task's result. */
  @FunctionalInterface
  public interface Async {
    Future<?> run(TaskContext context);
  }

  /** A body that may block; it runs on a worker thread, which is interrupted at the soft time limit. */
  @FunctionalInterface
  public interface Blocking {
    Object run(TaskContext context) throws Exception;
  }

  public static TaskDefinition async(String name, TaskSignature signature, Async body) {
    return new TaskDefinition(name, signature, body, null, null);
  }

  public static TaskDefinition blocking(String name, TaskSignature signature, Blocking body) {
    return new TaskDefinition(name, signature, null, body, null);
  }

  public TaskDefinition withRateLimit(String limit) {
    return new TaskDefinition(name, signature, async, blocking, RateLimit.parse(limit));
  }

  public boolean isBlocking() {
    return blocking != null;
  }
}

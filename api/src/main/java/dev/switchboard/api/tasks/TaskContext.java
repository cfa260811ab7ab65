package dev.switchboard.api.tasks;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.Optional;

/**
 * What a running task sees of itself: its id and arguments, its attempt, a way to report progress or a state of
 * its own, a way to ask for a retry, and whether it has been asked to stop (soft time limit passed, revoked, hard limit hit). Safe to use
 * from the event loop (async tasks) and from the blocking pool. The worker implements it; task code only reads it.
 */
public interface TaskContext {

  String id();

  String name();

  /** The call's arguments, bound to the task's signature (keyword arguments already in place). */
  JsonArray args();

  /** 0 on the first attempt, then how many retries came before this one. */
  int retries();

  /** Which attempt this is by the retry policy: 1 on the first run, 2 after one retry, ... */
  default int attempt() {
    return retries() + 1;
  }

  /**
   * How many times the task was handed to a worker, this time included: the attempts plus the deliveries whose
   * worker died or handed it back. More than {@link #attempt()} means an earlier run may have had side effects.
   */
  default int delivery() {
    return attempt();
  }

  /**
   * Asks for another attempt after {@code countdown}, Celery's {@code self.retry(countdown=..., exc=cause)}:
   * throw the result (blocking task) or fail with it (async task). It counts against {@code max_retries} (once
   * reached, the task ends FAILURE with this error) and ignores {@code retry_on} and the backoff.
   *
   * @param countdown 0 to {@link TaskOptions#MAX_DURATION}; anything else is an IllegalArgumentException
   * @param cause     why (may be null); named in the error of the RETRY state
   */
  default TaskRetry retry(Duration countdown, Throwable cause) {
    if (countdown == null || countdown.isNegative() || countdown.compareTo(TaskOptions.MAX_DURATION) > 0) {
      throw new IllegalArgumentException("retry countdown: expected 0 to " + TaskOptions.MAX_DURATION.toSeconds()
          + " s, got " + countdown);
    }
    return new TaskRetry("task " + name() + "[" + id() + "] asked to retry in " + countdown.toMillis() + " ms"
        + (cause == null ? "" : ": " + cause), countdown, cause);
  }

  /** {@link #retry(Duration, Throwable)} with no cause. */
  default TaskRetry retry(Duration countdown) {
    return retry(countdown, null);
  }

  /**
   * A state of the task's own next to PROGRESS, Celery's {@code update_state(state="DOWNLOADING", meta={...})}:
   * the task shows state PROGRESS with {@code custom_state} = {@code state} and {@code progress} = {@code meta}
   * (in {@code GET /api/tasks/{id}} and on {@code /ws/tasks/{id}}) until the next update or its outcome. Fails
   * as {@link #progress(JsonObject)} does, and with IllegalArgumentException for a bad name.
   *
   * @param state 1-64 of [A-Za-z0-9_.:-], not a built-in state name
   */
  Future<Void> updateState(String state, JsonObject meta);

  /** The worker's Vert.x instance: timers, the event bus, clients. */
  Vertx vertx();

  /**
   * The node's PostgreSQL pool, migrated to the app's schema, when the task's app declared
   * {@link dev.switchboard.api.AppBuilder#migrations migrations} or {@link dev.switchboard.api.AppBuilder#database() a
   * database} and the worker's node has PostgreSQL; empty otherwise (and when run eagerly by the test kit). The same
   * pool {@link dev.switchboard.api.AppEnvironment#pool()} gives the app's consumers. Non-blocking: use it from an
   * async body, or {@code .await()} it from a blocking one.
   */
  default Optional<Pool> pool() {
    return Optional.empty();
  }

  /**
   * Records progress (state PROGRESS with this payload) and publishes it. Fails with a
   * {@link TaskRevokedException} when the task was revoked or taken over by another worker: stop then.
   */
  Future<Void> progress(JsonObject payload);

  /** {@code progress({"current": current, "total": total})}. */
  default Future<Void> progress(long current, long total) {
    return progress(new JsonObject().put("current", current).put("total", total));
  }

  /** True once the soft time limit has passed: wrap up. Blocking tasks are also interrupted then. */
  boolean softTimeLimitExceeded();

  /** True once the attempt was abandoned (hard time limit) or found revoked. */
  boolean cancelled();
}

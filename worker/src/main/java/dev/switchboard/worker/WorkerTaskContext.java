package dev.switchboard.worker;

import io.vertx.sqlclient.Pool;
import java.util.Optional;

import dev.switchboard.api.tasks.TaskContext;
import dev.switchboard.api.tasks.TaskRevokedException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import dev.switchboard.api.tasks.TaskState;
import java.util.regex.Pattern;

/**
 * The worker's {@link TaskContext}: what a running task sees of itself: its id and arguments, how many times it was retried, a way to report
 * progress, and whether it has been asked to stop (soft time limit passed, revoked, hard limit hit). Safe to use
 * from the event loop (async tasks) and from the blocking pool.
 */
public final class WorkerTaskContext implements TaskContext {

  private final Vertx vertx;
  private final ClaimedTask task;
  private static final Pattern CUSTOM_STATE = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");

  private final Reporter reporter;
  private final Optional<Pool> pool;
  private volatile boolean softLimitExceeded;
  private volatile boolean cancelled;
  private volatile Thread thread;

  /** Records progress, or a state of the task's own when {@code customState} is not null. */
  @FunctionalInterface
  interface Reporter {
    Future<Void> report(String customState, JsonObject payload);
  }

  WorkerTaskContext(Vertx vertx, ClaimedTask task, Optional<Pool> pool, Reporter reporter) {
    this.vertx = vertx;
    this.task = task;
    this.pool = pool;
    this.reporter = reporter;
  }

  @Override
  public Optional<Pool> pool() {
    return pool;
  }

  @Override
  public String id() {
    return task.id();
  }

  @Override
  public String name() {
    return task.name();
  }

  /** The call's arguments, bound to the task's signature (keyword arguments already in place). */
  @Override
  public JsonArray args() {
    return task.args();
  }

  /** 0 on the first attempt, then how many retries came before this one. */
  @Override
  public int retries() {
    return task.retries();
  }

  @Override
  public Vertx vertx() {
    return vertx;
  }

  /**
   * Records progress (state PROGRESS with this payload) and publishes it. Fails with a
   * {@link TaskRevokedException} when the task was revoked or taken over by another worker: stop then.
   */
  @Override
  public Future<Void> progress(JsonObject payload) {
    if (cancelled) {
      return Future.failedFuture(new TaskRevokedException("task " + id() + " was cancelled"));
    }
    return reporter.report(null, payload);
  }

  @Override
  public int delivery() {
    return task.delivery();
  }

  @Override
  public Future<Void> updateState(String state, JsonObject meta) {
    if (state == null || !CUSTOM_STATE.matcher(state).matches() || isBuiltIn(state)) {
      return Future.failedFuture(new IllegalArgumentException("custom state: expected 1-64 of [A-Za-z0-9_.:-], "
          + "not a built-in state name, got " + state));
    }
    if (cancelled) {
      return Future.failedFuture(new TaskRevokedException("task " + id() + " was cancelled"));
    }
    return reporter.report(state, meta == null ? new JsonObject() : meta);
  }

  private static boolean isBuiltIn(String state) {
    for (TaskState builtIn : TaskState.values()) {
      if (builtIn.name().equalsIgnoreCase(state)) {
        return true;
      }
    }
    return false;
  }

  /** True once the soft time limit has passed: wrap up. Blocking tasks are also interrupted then. */
  @Override
  public boolean softTimeLimitExceeded() {
    return softLimitExceeded;
  }

  /** True once the attempt was abandoned (hard time limit) or found revoked. */
  @Override
  public boolean cancelled() {
    return cancelled;
  }

  void softLimitReached() {
    softLimitExceeded = true;
    interrupt();
  }

  void cancel() {
    cancelled = true;
    interrupt();
  }

  void runningOn(Thread current) {
    thread = current;
  }

  private void interrupt() {
    Thread running = thread;
    if (running != null) {
      running.interrupt();
    }
  }
}

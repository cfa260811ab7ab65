package dev.switchboard.api.tasks;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * What a running task sees of itself: its id and arguments, how many times it was retried, a way to report
 * progress, and whether it has been asked to stop (soft time limit passed, revoked, hard limit hit). Safe to use
 * from the event loop (async tasks) and from the blocking pool. The worker implements it; task code only reads it.
 */
public interface TaskContext {

  String id();

  String name();

  /** The call's arguments, bound to the task's signature (keyword arguments already in place). */
  JsonArray args();

  /** 0 on the first attempt, then how many retries came before this one. */
  int retries();

  /** The worker's Vert.x instance: timers, the event bus, clients. */
  Vertx vertx();

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

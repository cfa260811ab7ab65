package dev.switchboard.shared.tasks;

import dev.switchboard.api.tasks.TaskState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The bound on tasks waiting in a queue that no worker reads ({@code tasks.waitingTtlMs}): without it a task sent to
 * an accepted queue whose workers never came (or all left) would sit in Redis for ever. Workers run {@link #sweep}
 * now and then; each expired task ends REVOKED with the error {@code TaskExpired}, its client and watchers are told,
 * and the queue's {@code expired} counter grows ({@code GET /api/queues}, {@code switchboard_queue_expired_tasks}).
 * Queues a live worker consumes are left alone, paused or not.
 */
public final class WaitingExpiry {

  private static final LuaScript EXPIRE = LuaScript.load(WaitingExpiry.class, "expire_waiting.lua", LuaScript.NEW_TASK, LuaScript.WORKFLOW_STEPS, "waiting.lua");
  /** Tasks one script call expires before it lets other clients in. */
  static final int BATCH = 500;

  private final Vertx vertx;
  private final io.vertx.redis.client.Redis redis;
  private final TaskKeys keys;
  private final long waitingTtlMs;
  private final long resultTtlMs;

  public WaitingExpiry(Vertx vertx, io.vertx.redis.client.Redis redis, TaskKeys keys, long waitingTtlMs, long resultTtlMs) {
    this.vertx = vertx;
    this.redis = redis;
    this.keys = keys;
    this.waitingTtlMs = waitingTtlMs;
    this.resultTtlMs = resultTtlMs;
  }

  /** How often a worker should sweep: a quarter of the TTL, between 100 ms and a minute. */
  public static long interval(long waitingTtlMs) {
    return Math.max(100, Math.min(60_000, waitingTtlMs / 4));
  }

  /** Expires what outlived the TTL; the Future holds how many tasks. */
  public Future<Long> sweep() {
    return sweep(0);
  }

  private Future<Long> sweep(long sofar) {
    long now = System.currentTimeMillis();
    return EXPIRE.run(redis, List.of(keys.queues(), keys.consumed(), keys.stats()), List.of(keys.streamPrefix(),
        TaskKeys.GROUP, keys.taskPrefix(), now, waitingTtlMs, ConsumedQueues.LIVE_MS, resultTtlMs, BATCH)).compose(reply -> {
          JsonObject answer = new JsonObject(reply.toString());
          if (answer.getValue("events") instanceof JsonArray events) {
            events.stream().map(JsonObject.class::cast).forEach(event -> TaskEvents.publish(vertx, TaskEvents.event(
                event.getString("id"), event.getString("name"), TaskState.REVOKED, event.getLong("seq"), now)
                .put("error", new JsonObject().put("type", "TaskExpired").put("message", "waited longer than "
                    + waitingTtlMs + " ms in a queue no worker consumes"))));
          }
          long total = sofar + answer.getLong("expired", 0L);
          return answer.getBoolean("more", false) ? sweep(total) : Future.succeededFuture(total);
        });
  }
}

package dev.switchboard.shared.tasks;

import dev.switchboard.api.tasks.TaskException;
import dev.switchboard.api.tasks.TaskOptions;
import dev.switchboard.api.tasks.TaskState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import java.util.ArrayList;
import java.util.List;

/**
 * Queue control, cluster-wide and durable (BullMQ's {@code queue.pause()}/{@code resume()}/{@code drain()}, Celery's
 * {@code celery purge}): the state lives in Redis, so it holds for every worker, now and after restarts.
 *
 * <ul>
 *   <li>{@link #pause}: no worker starts a task of the queue any more (their claims skip it); running tasks finish,
 *       new tasks are still accepted and wait, PENDING.
 *   <li>{@link #resume}: workers take the queue's tasks again, within their next claim (at most half a second).
 *   <li>{@link #purge}: the queue's waiting tasks leave it and end REVOKED with the error {@code Purged}, so a
 *       {@code get()} on one fails at once instead of waiting forever (a purged Celery task stays PENDING for
 *       ever). Running tasks and delayed ones (countdown, ETA, retry backoff) are left alone.
 * </ul>
 * Each fails with UNKNOWN_QUEUE for a queue no task was ever sent to, no live worker consumes and the configuration
 * does not name, and with INVALID_REQUEST for a malformed name.
 */
public final class QueueControl {

  private static final LuaScript PAUSE = LuaScript.load(QueueControl.class, "pause.lua");
  private static final LuaScript PURGE = LuaScript.load(QueueControl.class, "purge.lua", LuaScript.NEW_TASK, LuaScript.WORKFLOW_STEPS, "waiting.lua");
  /** Waiting tasks one purge script looks at before it lets other clients in. */
  static final int PURGE_BATCH = 500;

  private final Vertx vertx;
  private final Redis redis;
  private final TaskKeys keys;
  private final long resultTtlMs;
  private final String configured;

  QueueControl(Vertx vertx, Redis redis, TaskKeys keys, long resultTtlMs, List<String> configured) {
    this.vertx = vertx;
    this.redis = redis;
    this.keys = keys;
    this.resultTtlMs = resultTtlMs;
    this.configured = new JsonArray(List.copyOf(configured)).encode();
  }

  /** Pauses {@code queue}; the Future holds whether it was running before (false: it was paused already). */
  public Future<Boolean> pause(String queue) {
    return setPaused(queue, true);
  }

  /** Resumes {@code queue}; the Future holds whether it was paused before. */
  public Future<Boolean> resume(String queue) {
    return setPaused(queue, false);
  }

  private Future<Boolean> setPaused(String queue, boolean paused) {
    return checked(queue).compose(name -> PAUSE.run(redis, List.of(keys.paused(), keys.queues(), keys.consumed()),
        List.of(name, paused ? "1" : "0", System.currentTimeMillis(), ConsumedQueues.LIVE_MS, configured,
            TaskKeys.MAX_QUEUES))).map(reply -> {
              JsonObject answer = new JsonObject(reply.toString());
              if (answer.getBoolean("unknown", false)) {
                throw unknown(queue);
              }
              if (answer.getBoolean("full", false)) {
                throw new TaskException(TaskException.Reason.QUEUE_FULL, "queue " + queue + " not paused: "
                    + TaskKeys.MAX_QUEUES + " queues are paused already");
              }
              return answer.getBoolean("changed", false);
            });
  }

  /** Purges the waiting tasks of {@code queue} (see the class comment); the Future holds how many. */
  public Future<Long> purge(String queue) {
    // a queue with nothing ever sent and no worker cannot hold anything: same check as pause, without the change
    return checked(queue).compose(name -> PAUSE.run(redis, List.of(keys.paused(), keys.queues(), keys.consumed()),
            List.of(name, "", System.currentTimeMillis(), ConsumedQueues.LIVE_MS, configured, TaskKeys.MAX_QUEUES)))
        .compose(reply -> new JsonObject(reply.toString()).getBoolean("unknown", false)
            ? Future.failedFuture(unknown(queue)) : purgeBatches(queue, 0));
  }

  private Future<Long> purgeBatches(String queue, long sofar) {
    List<String> scriptKeys = new ArrayList<>();
    scriptKeys.add(keys.stats());
    scriptKeys.addAll(keys.streams(queue));
    long now = System.currentTimeMillis();
    String error = new JsonObject().put("type", "Purged").put("message", "queue " + queue + " was purged before the task started")
        .encode();
    return PURGE.run(redis, scriptKeys, List.of(TaskKeys.GROUP, keys.taskPrefix(), now, resultTtlMs, PURGE_BATCH, queue,
        error)).compose(reply -> {
          JsonObject answer = new JsonObject(reply.toString());
          if (answer.getValue("events") instanceof JsonArray events) {
            events.stream().map(JsonObject.class::cast).forEach(event -> TaskEvents.publish(vertx, TaskEvents.event(
                event.getString("id"), event.getString("name"), TaskState.REVOKED, event.getLong("seq"), now)
                .put("error", new JsonObject(error))));
          }
          long total = sofar + answer.getLong("purged", 0L);
          return answer.getBoolean("more", false) ? purgeBatches(queue, total) : Future.succeededFuture(total);
        });
  }

  private static Future<String> checked(String queue) {
    try {
      return Future.succeededFuture(TaskOptions.defaults().withQueue(queue).queue());
    } catch (TaskException e) {
      return Future.failedFuture(e);
    }
  }

  private static TaskException unknown(String queue) {
    return new TaskException(TaskException.Reason.UNKNOWN_QUEUE, "no queue named " + queue
        + ": no task was sent to it, no live worker consumes it and the configuration does not name it");
  }
}

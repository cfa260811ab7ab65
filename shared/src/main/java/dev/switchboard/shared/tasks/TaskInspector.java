package dev.switchboard.shared.tasks;

import dev.switchboard.api.tasks.TaskException;
import dev.switchboard.api.tasks.TaskInfo;
import dev.switchboard.api.tasks.TaskState;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the task system for people and tools (Flower's and bull-board's job): the newest tasks, the failed ones, and
 * each queue's depth, age of its oldest waiting task and counters. Every read is one Lua script, so one round trip,
 * and bounded: at most {@link TaskKeys#HISTORY_LENGTH} ids are looked at and {@link #MAX_QUEUES} queues reported.
 */
public final class TaskInspector {

  /** Queues reported by {@link #queues()}, in name order. */
  public static final int MAX_QUEUES = 50;
  /** Characters of args, kwargs and result kept in a listing. */
  static final int MAX_FIELD_LENGTH = 200;

  private static final LuaScript LIST = LuaScript.load(TaskInspector.class, "list.lua");
  private static final LuaScript QUEUE_STATS = LuaScript.load(TaskInspector.class, "queue_stats.lua");
  private static final LuaScript WORKERS = LuaScript.load(TaskInspector.class, "workers.lua");
  /** Workers reported by {@link #workers()}, newest heartbeat first. */
  public static final int MAX_WORKERS = 200;

  /** One queue, summed over its priorities; the counters count since the Redis data began. */
  /**
   * One queue, summed over its priorities; the counters count since the Redis data began. {@code paused}: no worker
   * starts its tasks ({@link QueueControl}); {@code consumed}: a live worker reads it; {@code purged}: waiting tasks
   * purged; {@code expired}: waiting tasks that outlived {@code tasks.waitingTtlMs} in a queue no worker read.
   */
  public record QueueStats(String queue, boolean paused, boolean consumed, long depth, long running, long oldestAgeMs,
                           long enqueued, long succeeded, long failed, long retried, long purged, long expired) {

    static QueueStats fromJson(JsonObject json) {
      return new QueueStats(json.getString("queue"), json.getBoolean("paused", false), json.getBoolean("consumed", false),
          json.getLong("depth", 0L), json.getLong("running", 0L), json.getLong("oldestAgeMs", 0L),
          json.getLong("enqueued", 0L), json.getLong("succeeded", 0L), json.getLong("failed", 0L),
          json.getLong("retried", 0L), json.getLong("purged", 0L), json.getLong("expired", 0L));
    }

    public JsonObject toJson() {
      return new JsonObject().put("queue", queue).put("paused", paused).put("consumed", consumed).put("depth", depth)
          .put("running", running).put("oldestAgeMs", oldestAgeMs).put("enqueued", enqueued).put("succeeded", succeeded)
          .put("failed", failed).put("retried", retried).put("purged", purged).put("expired", expired);
    }
  }

  /** Every queue's stats and the number of delayed tasks (countdown, ETA, waiting retries). */
  public record Queues(List<QueueStats> queues, long delayed) {

    public JsonObject toJson() {
      return new JsonObject().put("queues", new JsonArray(queues.stream().map(QueueStats::toJson).toList()))
          .put("delayed", delayed);
    }
  }

  private final Redis redis;
  private final TaskKeys keys;

  TaskInspector(Redis redis, TaskKeys keys) {
    this.redis = redis;
    this.keys = keys;
  }

  /**
   * The newest tasks, newest first, at most {@code limit} (1 to {@link TaskKeys#HISTORY_LENGTH}); with a state,
   * only tasks now in that state among the recent ones, or for FAILURE among the recent failures.
   */
  public Future<List<TaskInfo>> list(TaskState state, int limit) {
    if (limit < 1 || limit > TaskKeys.HISTORY_LENGTH) {
      return Future.failedFuture(new TaskException(TaskException.Reason.INVALID_REQUEST,
          "limit: expected 1 to " + TaskKeys.HISTORY_LENGTH + ", got " + limit));
    }
    String list = state == TaskState.FAILURE ? keys.failed() : keys.recent();
    return LIST.run(redis, List.of(list), List.of(keys.taskPrefix(), state == null ? "" : state.name(), limit,
        MAX_FIELD_LENGTH)).map(reply -> {
          // cjson encodes an empty table as {}
          Object decoded = io.vertx.core.json.Json.decodeValue(reply.toString());
          if (!(decoded instanceof JsonArray tasks)) {
            return List.of();
          }
          return tasks.stream().map(task -> TaskInfo.fromHash(strings((JsonObject) task))).toList();
        });
  }

  /** The depth of each known queue and the number of delayed tasks, read atomically. */
  public Future<Queues> queues() {
    return QUEUE_STATS.run(redis, List.of(keys.queues(), keys.delayed(), keys.stats(), keys.paused(), keys.consumed()),
        List.of(keys.streamPrefix(), MAX_QUEUES, TaskKeys.GROUP, ConsumedQueues.LIVE_MS)).map(reply -> {
          JsonObject answer = new JsonObject(reply.toString());
          Object queues = answer.getValue("queues");
          List<QueueStats> stats = queues instanceof JsonArray array
              ? array.stream().map(JsonObject.class::cast).map(QueueStats::fromJson).toList()
              : List.of();
          return new Queues(stats, answer.getLong("delayed", 0L));
        });
  }

  /**
   * The live workers (announced within {@link ConsumedQueues#LIVE_MS}), newest heartbeat first, at most
   * {@link #MAX_WORKERS}: {@code {"name", "queues", "concurrency", "busy", "completed", "started", "heartbeat",
   * "active", "alive"}} ({@code active}: up to 100 running tasks, {@code {"id", "name", "started"}}), times in epoch ms. Busy and completed are as of the worker's last announcement (every 10 s).
   */
  public Future<JsonArray> workers() {
    long now = System.currentTimeMillis();
    return WORKERS.run(redis, List.of(keys.workers()), List.of(keys.prefix() + "worker:", MAX_WORKERS, now,
        ConsumedQueues.LIVE_MS)).map(reply -> {
          Object decoded = io.vertx.core.json.Json.decodeValue(reply.toString());
          JsonArray workers = new JsonArray();
          if (decoded instanceof JsonArray list) {
            list.stream().map(JsonObject.class::cast).forEach(hash -> workers.add(new JsonObject()
                .put("name", hash.getString("name"))
                .put("queues", new JsonArray(hash.getString("queues", "[]")))
                .put("concurrency", Long.parseLong(hash.getString("concurrency", "0")))
                .put("busy", Long.parseLong(hash.getString("busy", "0")))
                .put("completed", Long.parseLong(hash.getString("completed", "0")))
                .put("started", Long.parseLong(hash.getString("started", "0")))
                .put("heartbeat", Long.parseLong(hash.getString("heartbeat", "0")))
                .put("active", new JsonArray(hash.getString("active", "[]")))
                .put("alive", true)));
          }
          return workers;
        });
  }

  private static Map<String, String> strings(JsonObject hash) {
    Map<String, String> map = new HashMap<>();
    hash.forEach(entry -> map.put(entry.getKey(), String.valueOf(entry.getValue())));
    return map;
  }
}

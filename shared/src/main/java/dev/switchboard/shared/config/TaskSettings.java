package dev.switchboard.shared.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The {@code tasks} config section, shared by task clients (gateway, consumers, any verticle) and workers.
 *
 * @param namespace          inserted after {@code switchboard:} in every key; isolates tests or tenants
 * @param visibilityTimeoutMs a started task whose worker stops heart-beating for this long is given to another
 * @param concurrency        tasks one worker runs at once; it claims no more than that (no prefetch)
 * @param blockingPoolSize   threads of the worker pool that runs blocking tasks
 * @param resultTtlMs        how long a finished task's state and result stay in Redis
 * @param maxQueueLength     bound of each stream and of the delayed set; enqueueing beyond fails (QUEUE_FULL)
 * @param queues             the queues a worker consumes
 * @param schedulerIntervalMs how often a worker moves due delayed tasks to their stream
 * @param shutdownGraceMs    how long a stopping worker lets in-flight tasks finish before handing them back
 * @param pollIntervalMs     how often a task client re-reads (one batch for all its waiting {@code get()} calls)
 *                           the tasks it awaits, as a safety net behind the notifications
 * @param maxWaiters         bound of the {@code get()} calls waiting at once on one task client (beyond: QUEUE_FULL)
 * @param enqueueReplicas    0 (default): an enqueue is acknowledged once the Redis primary has it; n: only once n
 *                           replicas have it too ({@code WAIT}), so a failover right after cannot lose it
 * @param enqueueReplicaTimeoutMs how long an enqueue waits for those replicas before failing as unavailable
 * @param maxRetryBackoffMs  ceiling of every retry's backoff, whatever a task's {@code retry_backoff_max} says
 * @param acceptedQueues     queues a client accepts tasks for even while no worker consumes them (besides
 *                           {@code queues} and the queues live workers consume); any other queue is refused
 * @param waitingTtlMs       a task that waited this long in a queue no live worker consumes ends REVOKED (TaskExpired),
 *                           counted per queue ({@code expired}); a worker sweeps the queues it knows of
 */
public record TaskSettings(
    String namespace,
    int visibilityTimeoutMs,
    int concurrency,
    int blockingPoolSize,
    long resultTtlMs,
    int maxQueueLength,
    List<String> queues,
    int schedulerIntervalMs,
    int shutdownGraceMs,
    int pollIntervalMs,
    int maxWaiters,
    int enqueueReplicas,
    int enqueueReplicaTimeoutMs,
    long maxRetryBackoffMs,
    List<String> acceptedQueues,
    int waitingTtlMs) {

  public static TaskSettings defaults() {
    return fromJson(new JsonObject());
  }

  /** Reads the {@code tasks} section of a whole config document. */
  public static TaskSettings fromJson(JsonObject root) {
    Settings tasks = new Settings(root, "tasks");
    String namespace = tasks.string("namespace", "");
    if (!namespace.matches("[A-Za-z0-9_.:-]*")) {
      throw new ConfigException("tasks.namespace: expected letters, digits, _ . : -, got \"" + namespace + "\"");
    }
    return new TaskSettings(
        namespace,
        tasks.integer("visibilityTimeoutMs", 30_000, 500, 86_400_000),
        tasks.integer("concurrency", 16, 1, 10_000),
        tasks.integer("blockingPoolSize", 4, 1, 1024),
        tasks.integer("resultTtlMs", 86_400_000, 1, Integer.MAX_VALUE),
        tasks.integer("maxQueueLength", 100_000, 1, 100_000_000),
        tasks.list("queues", List.of("default")),
        tasks.integer("schedulerIntervalMs", 100, 10, 60_000),
        tasks.integer("shutdownGraceMs", 10_000, 0, 3_600_000),
        tasks.integer("pollIntervalMs", 500, 10, 60_000),
        tasks.integer("maxWaiters", 100_000, 1, 10_000_000),
        tasks.integer("enqueueReplicas", 0, 0, 100),
        tasks.integer("enqueueReplicaTimeoutMs", 1_000, 1, 60_000),
        tasks.integer("maxRetryBackoffMs", 3_600_000, 1, Integer.MAX_VALUE),
        tasks.listOrEmpty("acceptedQueues"),
        tasks.integer("waitingTtlMs", 604_800_000, 100, Integer.MAX_VALUE));
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("namespace", namespace)
        .put("visibilityTimeoutMs", visibilityTimeoutMs)
        .put("concurrency", concurrency)
        .put("blockingPoolSize", blockingPoolSize)
        .put("resultTtlMs", resultTtlMs)
        .put("maxQueueLength", maxQueueLength)
        .put("queues", new JsonArray(queues))
        .put("schedulerIntervalMs", schedulerIntervalMs)
        .put("shutdownGraceMs", shutdownGraceMs)
        .put("pollIntervalMs", pollIntervalMs)
        .put("maxWaiters", maxWaiters)
        .put("enqueueReplicas", enqueueReplicas)
        .put("enqueueReplicaTimeoutMs", enqueueReplicaTimeoutMs)
        .put("maxRetryBackoffMs", maxRetryBackoffMs)
        .put("acceptedQueues", new JsonArray(acceptedQueues))
        .put("waitingTtlMs", waitingTtlMs);
  }

  public TaskSettings withNamespace(String value) {
    return new TaskSettings(value, visibilityTimeoutMs, concurrency, blockingPoolSize, resultTtlMs, maxQueueLength,
        queues, schedulerIntervalMs, shutdownGraceMs, pollIntervalMs, maxWaiters, enqueueReplicas,
        enqueueReplicaTimeoutMs, maxRetryBackoffMs, acceptedQueues, waitingTtlMs);
  }
}

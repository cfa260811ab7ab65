package dev.switchboard.shared.tasks;

import dev.switchboard.shared.context.CallerContext;
import dev.switchboard.shared.context.TurnBatcher;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * One client's enqueues, coalesced: those issued in the same event-loop turn, or while earlier batches are still in
 * flight, go to Redis as one call of {@code enqueue_batch.lua} (at most {@link #MAX_BATCH} tasks), and each caller
 * gets its own task's outcome. Each task is checked and written as a lone enqueue would be (idempotent id, the queue's
 * length bound, the bound on the number of queues), so one refused task changes nothing for the others. A lone
 * enqueue waits for no one: it leaves at the end of the turn it was issued in ({@link TurnBatcher}).
 */
final class BatchedEnqueue {

  /** Tasks per script call at most: one call holds Redis for a bounded time. */
  static final int MAX_BATCH = 64;
  /** Script calls in flight at most; what comes meanwhile waits for one to return, and batches up. */
  static final int MAX_IN_FLIGHT = 2;
  /** Enqueues waiting for a batch at most; beyond, an enqueue fails at once (Redis does not keep up). */
  static final int MAX_WAITING = MultiplexedRedis.MAX_IN_FLIGHT;
  private static final LuaScript SCRIPT = LuaScript.load(BatchedEnqueue.class, "enqueue_batch.lua",
      RedisTaskClient.ENQUEUE_LIBRARIES);

  /** One task to queue, as enqueue_batch.lua takes it. */
  record Task(String id, String name, String args, String kwargs, String options, long now, long eta, String queue,
      int priority, long expires) {
  }

  private final Redis redis;
  private final TaskKeys keys;
  private final List<Object> shared;
  private final Function<Response, Future<Response>> afterWrite;
  private final TurnBatcher<Task, String> batches;

  /** {@code afterWrite} runs once per batch before its callers hear (the replicas' acknowledgement, say). */
  BatchedEnqueue(Context home, Redis redis, TaskKeys keys, long maxLength, String notifyChannel,
      Function<Response, Future<Response>> afterWrite) {
    this.redis = redis;
    this.keys = keys;
    this.shared = List.of(maxLength, TaskKeys.HISTORY_LENGTH, TaskKeys.MAX_QUEUES, notifyChannel);
    this.afterWrite = afterWrite;
    this.batches = new TurnBatcher<>(home, MAX_BATCH, MAX_IN_FLIGHT, MAX_WAITING,
        task -> new RedisUnavailableException("task " + task.name() + "[" + task.id() + "] not queued: "
            + MAX_WAITING + " enqueues already wait for Redis", null),
        this::send);
  }

  /**
   * Queues {@code task} with the next batch; the Future completes on the calling context with what became of the
   * task: {@code created}, {@code full}, {@code queues}, or {@code existing:STATE}.
   */
  Future<String> submit(Task task) {
    return CallerContext.of(batches.submit(task));
  }

  private Future<List<String>> send(List<Task> batch) {
    List<String> scriptKeys = new ArrayList<>(4 + 2 * batch.size());
    scriptKeys.add(keys.delayed());
    scriptKeys.add(keys.recent());
    scriptKeys.add(keys.queues());
    scriptKeys.add(keys.stats());
    List<Object> args = new ArrayList<>(shared.size() + 10 * batch.size());
    args.addAll(shared);
    for (Task task : batch) {
      scriptKeys.add(keys.task(task.id()));
      scriptKeys.add(keys.stream(task.queue(), task.priority()));
      args.add(task.id());
      args.add(task.name());
      args.add(task.args());
      args.add(task.kwargs());
      args.add(task.options());
      args.add(task.now());
      args.add(task.eta());
      args.add(task.queue());
      args.add(task.priority());
      args.add(task.expires());
    }
    return SCRIPT.run(redis, scriptKeys, args).compose(afterWrite).map(replies -> {
      List<String> outcomes = new ArrayList<>(batch.size());
      for (int i = 0; i < batch.size(); i++) {
        outcomes.add(replies.get(i).toString());
      }
      return outcomes;
    });
  }
}

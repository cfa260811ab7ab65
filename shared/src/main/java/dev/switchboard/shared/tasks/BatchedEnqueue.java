package dev.switchboard.shared.tasks;

import dev.switchboard.shared.context.CallerContext;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Response;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * One client's enqueues, coalesced: those issued in the same event-loop turn, or while earlier batches are still in
 * flight, go to Redis as one call of {@code enqueue_batch.lua} (at most {@link #MAX_BATCH} tasks), and each caller
 * gets its own task's outcome. Each task is checked and written as a lone enqueue would be (idempotent id, the queue's
 * length bound, the bound on the number of queues), so one refused task changes nothing for the others. A lone
 * enqueue waits for no one: it leaves at the end of the turn it was issued in. Touched on the home context only.
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

  /** What became of one task: {@code created}, {@code full}, {@code queues}, or {@code existing:STATE}. */
  private record Waiting(Task task, Promise<String> outcome) {
  }

  private final Context home;
  private final Redis redis;
  private final TaskKeys keys;
  private final List<Object> shared;
  private final Function<Response, Future<Response>> afterWrite;
  private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
  private int inFlight;
  private boolean flushScheduled;

  /** {@code afterWrite} runs once per batch before its callers hear (the replicas' acknowledgement, say). */
  BatchedEnqueue(Context home, Redis redis, TaskKeys keys, long maxLength, String notifyChannel,
      Function<Response, Future<Response>> afterWrite) {
    this.home = home;
    this.redis = redis;
    this.keys = keys;
    this.shared = List.of(maxLength, TaskKeys.HISTORY_LENGTH, TaskKeys.MAX_QUEUES, notifyChannel);
    this.afterWrite = afterWrite;
  }

  /** Queues {@code task} with the next batch; the Future completes on the calling context. */
  Future<String> submit(Task task) {
    Promise<String> outcome = Promise.promise();
    Context caller = Vertx.currentContext();
    if (caller == home) {
      add(new Waiting(task, outcome));
    } else {
      home.runOnContext(v -> add(new Waiting(task, outcome)));
    }
    return CallerContext.on(caller, outcome.future());
  }

  private void add(Waiting item) {
    if (waiting.size() >= MAX_WAITING) {
      item.outcome().fail(new RedisUnavailableException("task " + item.task().name() + "[" + item.task().id()
          + "] not queued: " + MAX_WAITING + " enqueues already wait for Redis", null));
      return;
    }
    waiting.add(item);
    if (!flushScheduled) {
      flushScheduled = true;
      // the end of this turn: the other enqueues of the turn join the batch
      home.runOnContext(v -> {
        flushScheduled = false;
        flush();
      });
    }
  }

  private void flush() {
    while (inFlight < MAX_IN_FLIGHT && !waiting.isEmpty()) {
      List<Waiting> batch = new ArrayList<>(Math.min(MAX_BATCH, waiting.size()));
      while (batch.size() < MAX_BATCH && !waiting.isEmpty()) {
        batch.add(waiting.poll());
      }
      inFlight++;
      send(batch).onComplete(replies -> {
        for (int i = 0; i < batch.size(); i++) {
          if (replies.succeeded()) {
            batch.get(i).outcome().complete(replies.result().get(i).toString());
          } else {
            batch.get(i).outcome().fail(replies.cause());
          }
        }
        inFlight--;
        flush();
      });
    }
  }

  private Future<Response> send(List<Waiting> batch) {
    List<String> scriptKeys = new ArrayList<>(4 + 2 * batch.size());
    scriptKeys.add(keys.delayed());
    scriptKeys.add(keys.recent());
    scriptKeys.add(keys.queues());
    scriptKeys.add(keys.stats());
    List<Object> args = new ArrayList<>(shared.size() + 10 * batch.size());
    args.addAll(shared);
    for (Waiting item : batch) {
      Task task = item.task();
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
    return SCRIPT.run(redis, scriptKeys, args).compose(afterWrite);
  }
}

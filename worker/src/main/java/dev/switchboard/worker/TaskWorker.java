package dev.switchboard.worker;

import dev.switchboard.api.tasks.TaskDefinition;
import dev.switchboard.api.tasks.TaskRevokedException;
import dev.switchboard.shared.config.TaskSettings;
import dev.switchboard.shared.metrics.MetricNames;
import dev.switchboard.shared.metrics.SwitchboardMetrics;
import dev.switchboard.shared.metrics.TaskMeters;
import dev.switchboard.api.tasks.TaskError;
import dev.switchboard.api.tasks.TaskRetry;
import dev.switchboard.shared.tasks.TaskEvents;
import dev.switchboard.shared.tasks.MultiplexedRedis;
import dev.switchboard.shared.tasks.TaskKeys;
import dev.switchboard.shared.tasks.WaitingExpiry;
import dev.switchboard.api.tasks.TaskState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.EncodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks from Redis: claims only as many as it has free slots ({@code concurrency}), so nothing waits in a
 * local buffer while other workers idle (no prefetch starvation); sleeps on a blocking read when the streams
 * are empty; heart-beats its in-flight tasks so nobody reclaims them while it lives; reclaims the tasks of
 * workers that went silent past the visibility timeout; moves due delayed tasks to their streams. On stop it
 * takes nothing new, lets in-flight tasks finish for {@code shutdownGraceMs}, then hands the rest back.
 */
public class TaskWorker extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(TaskWorker.class);
  private static final long BLOCK_MS = 500;
  private static final long MAX_BACKOFF_MS = 5_000;
  private static final int SETTLE_ATTEMPTS = 6;

  private record Running(ClaimedTask task, WorkerTaskContext context, Promise<Void> done, long startedAt,
      AtomicBoolean handedBack) {
  }

  /** Running tasks listed in a worker's announcement (GET /api/workers); the count ({@code busy}) is always whole. */
  static final int MAX_ANNOUNCED_ACTIVE = 100;

  private final TaskRegistry registry;
  private final TaskSettings settings;
  private final String redisUrl;
  private final Map<String, Running> inFlight = new HashMap<>();
  private final AtomicLong completed = new AtomicLong();
  /** {@code inFlight.size()}, readable from the metrics scrape's thread. */
  private final AtomicInteger busy = new AtomicInteger();
  private final long startedAt = System.currentTimeMillis();
  private MeterRegistry meters;
  private TaskMeters taskMeters;
  private List<Meter> gauges = List.of();
  private Redis redis;
  private Redis blocking;
  private Broker broker;
  private Settlements settlements;
  private WorkerExecutor pool;
  private boolean claiming;
  private boolean waiting;
  private boolean stopping;
  private boolean reclaimDue = true;
  private boolean promoting;
  private boolean sweeping;
  /** Slots promised to claims in flight (a claim call's, or a settle call's), so no two claims fill the same slot. */
  private int reserved;
  /** Tasks whose settle is in a call in flight: their slots go to the claim that call carries. */
  private int settling;
  private WaitingExpiry expiry;
  private long backoffMs;
  private long[] timers = new long[0];
  private Future<?> lastClaim = Future.succeededFuture();
  private Future<?> lastWait = Future.succeededFuture();

  public TaskWorker(TaskRegistry registry, TaskSettings settings, String redisUrl) {
    this.registry = registry;
    this.settings = settings;
    this.redisUrl = redisUrl;
  }

  @Override
  public Future<?> start() {
    // one pipelined connection for scripts (MultiplexedRedis), one for the blocking wait; both named for vertx_pool_*
    redis = MultiplexedRedis.create(vertx, new RedisOptions().setConnectionString(redisUrl)
        .setPoolName("switchboard-worker"));
    // the wait's own pipelined connection: one blocking read at a time, and a half-open socket times out like any
    blocking = MultiplexedRedis.create(vertx, new RedisOptions().setConnectionString(redisUrl)
        .setPoolName("switchboard-worker-wait"));
    String consumer = "worker-" + UUID.randomUUID().toString().substring(0, 13);
    TaskKeys keys = new TaskKeys(settings.namespace());
    broker = new Broker(redis, blocking, keys, settings, consumer, registry);
    settlements = new Settlements(context, broker, this::slotsFreedBy, this::claimedWithSettles);
    expiry = new WaitingExpiry(vertx, redis, keys, settings.waitingTtlMs(), settings.resultTtlMs());
    pool = vertx.createSharedWorkerExecutor("switchboard-tasks", settings.blockingPoolSize(), 1, TimeUnit.HOURS);
    registerGauges(consumer);
    return broker.ensureGroups()
        .compose(v -> broker.register(registry.all()))
        .compose(v -> announce())
        .onSuccess(v -> {
          timers = new long[] {
              vertx.setPeriodic(settings.schedulerIntervalMs(), id -> promote()),
              vertx.setPeriodic(settings.visibilityTimeoutMs() / 3, id -> heartbeat()),
              vertx.setPeriodic(settings.visibilityTimeoutMs() / 2, id -> {
                reclaimDue = true;
                broker.reapConsumers().onFailure(err -> log.debug("worker {}: reap failed: {}", broker.consumer(),
                    err.getMessage()));
              }),
              vertx.setPeriodic(WaitingExpiry.interval(settings.waitingTtlMs()), id -> expireWaiting()),
              vertx.setPeriodic(Broker.ANNOUNCE_MS, id -> announce()
                  .onFailure(err -> log.warn("worker {}: announce failed: {}", broker.consumer(), err.getMessage())))};
          log.info("worker {} consuming {} with concurrency {}", consumer, settings.queues(), settings.concurrency());
          fill();
        });
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    for (long timer : timers) {
      vertx.cancelTimer(timer);
    }
    Promise<Void> grace = Promise.promise();
    long deadline = vertx.setTimer(Math.max(1, settings.shutdownGraceMs()), id -> grace.tryComplete());
    // a claim still under way adds its tasks to inFlight before this continuation runs
    Future.join(lastClaim, settlements.idle())
        .transform(claimed -> Future.join(inFlight.values().stream().map(running -> running.done().future()).toList()))
        .onComplete(all -> grace.tryComplete());
    return grace.future()
        .compose(v -> {
          vertx.cancelTimer(deadline);
          // from here the attempts' outcomes are dropped: an interrupted body returns at once, and its settle must
          // not overtake the hand-back (the lease fences only whichever script Redis runs second)
          inFlight.values().forEach(running -> {
            running.handedBack().set(true);
            running.context().cancel();
          });
          List<ClaimedTask> unfinished = inFlight.values().stream().map(Running::task).toList();
          if (!unfinished.isEmpty()) {
            log.info("worker {} hands back {} unfinished task(s)", broker.consumer(), unfinished.size());
          }
          return Future.join(unfinished.stream().map(this::handBack).toList());
        })
        .eventually(() -> broker.leave().recover(err -> Future.succeededFuture()))
        // closing a connection under a blocking read trips the Redis client: let the read end first
        .eventually(() -> lastWait.transform(waited -> {
          gauges.forEach(meters::remove);
          blocking.close();
          redis.close();
          return pool.close();
        }));
  }

  private Future<Void> announce() {
    JsonArray active = new JsonArray();
    inFlight.values().stream().limit(MAX_ANNOUNCED_ACTIVE).forEach(running -> active.add(new JsonObject()
        .put("id", running.task().id()).put("name", running.task().name()).put("started", running.startedAt())));
    return broker.announce(busy.get(), completed.get(), startedAt, active);
  }

  /** Tasks this worker has finished (any outcome) since it started. */
  public long completed() {
    return completed.get();
  }

  /** Tasks running now. */
  public int busy() {
    return busy.get();
  }

  /** This worker's name in the consumer group (and in each task's {@code worker} field). */
  public String name() {
    return broker.consumer();
  }

  private void registerGauges(String consumer) {
    meters = SwitchboardMetrics.registry(vertx);
    taskMeters = new TaskMeters(meters);
    int concurrency = settings.concurrency();
    gauges = List.of(
        Gauge.builder(MetricNames.WORKER_BUSY, busy, AtomicInteger::get).tag(MetricNames.WORKER, consumer)
            .description("tasks this worker runs now").register(meters),
        Gauge.builder(MetricNames.WORKER_CONCURRENCY, () -> concurrency).tag(MetricNames.WORKER, consumer)
            .description("the most tasks this worker runs at once").register(meters),
        Gauge.builder(MetricNames.WORKER_UTILISATION, busy, b -> (double) b.get() / concurrency)
            .tag(MetricNames.WORKER, consumer).description("busy slots / concurrency").register(meters));
  }

  private void count(String name, TaskState state) {
    taskMeters.count(name, state);
  }

  /** Slots neither running a task nor promised to a claim in flight; a task whose settle is in flight frees its slot. */
  private int free() {
    return settings.concurrency() - inFlight.size() + settling - reserved;
  }

  private void fill() {
    int free = free();
    if (stopping || claiming || waiting || free <= 0) {
      return;
    }
    claiming = true;
    reserved += free;
    boolean reclaim = reclaimDue;
    reclaimDue = false;
    lastClaim = broker.claim(free, reclaim).onComplete(result -> {
      claiming = false;
      reserved -= free;
      if (result.failed()) {
        reclaimDue |= reclaim;
        retryLater("claim", result.cause());
        return;
      }
      backoffMs = 0;
      if (!start(result.result(), free)) {
        fill();
      }
    });
  }

  /** A batch of {@code settles} leaves: it claims for the slots they free (none once stopping). */
  private Settlements.Slots slotsFreedBy(int settles) {
    settling += settles;
    int count = stopping ? 0 : Math.max(0, free());
    boolean reclaim = count > 0 && reclaimDue;
    if (reclaim) {
      reclaimDue = false;
    }
    reserved += count;
    return new Settlements.Slots(count, reclaim);
  }

  /** The claim a settle call carried came back: start its tasks (before the settled ones leave their slots). */
  private void claimedWithSettles(Settlements.Slots asked, int settles, AsyncResult<Broker.Claim> claim) {
    settling -= settles;
    reserved -= asked.count();
    if (asked.count() == 0) {
      return;
    }
    if (claim.failed()) {
      // the settles retry by themselves; their slots go to the next claim
      reclaimDue |= asked.reclaim();
      log.debug("worker {}: claim with settles failed: {}", broker.consumer(), claim.cause().getMessage());
      return;
    }
    start(claim.result(), asked.count());
  }

  /**
   * Publishes what a claim ended, counts what it deferred and runs what it brought; when it came back short of
   * {@code asked}, waits for new work. Returns whether it came back short.
   */
  private boolean start(Broker.Claim claim, int asked) {
    claim.events().forEach(event -> TaskEvents.publish(vertx, event));
    // a poison task ended by the claim (WorkerLost) is a failure like any other
    claim.events().stream().filter(event -> TaskState.FAILURE.name().equals(event.getString("state")))
        .forEach(event -> count(event.getString("name"), TaskState.FAILURE));
    claim.deferred().forEach(taskMeters::deferred);
    claim.tasks().forEach(this::run);
    boolean shortOf = claim.tasks().size() < asked;
    if (shortOf) {
      awaitWork(claim.last());
    }
    return shortOf;
  }

  private void awaitWork(JsonObject last) {
    if (stopping || waiting) {
      return;
    }
    waiting = true;
    lastWait = broker.awaitWork(last, BLOCK_MS).onComplete(result -> {
      waiting = false;
      if (result.failed() && !stopping) {
        retryLater("wait", result.cause());
      } else {
        fill();
      }
    });
  }

  /** Redis is away (restart, dropped connection): back off, then try again; the clients reconnect. */
  private void retryLater(String what, Throwable cause) {
    if (stopping) {
      return;
    }
    backoffMs = Math.min(MAX_BACKOFF_MS, Math.max(100, backoffMs * 2));
    log.warn("worker {}: {} failed ({}), retrying in {} ms", broker.consumer(), what, cause.getMessage(), backoffMs);
    boolean missingGroup = cause.getMessage() != null && cause.getMessage().contains("NOGROUP");
    claiming = true;
    // a missing group means Redis came back empty: recreate the groups and publish the signatures again
    vertx.setTimer(backoffMs, id -> (missingGroup
            ? broker.ensureGroups().compose(v -> broker.register(registry.all())) : Future.<Void>succeededFuture())
        .onComplete(v -> {
          claiming = false;
          fill();
        }));
  }

  private void run(ClaimedTask task) {
    WorkerTaskContext context = new WorkerTaskContext(vertx, task, registry.pool(task.name()), (custom, payload) -> reportProgress(task, custom, payload));
    Running running = new Running(task, context, Promise.promise(), System.currentTimeMillis(), new AtomicBoolean());
    String slot = task.slot();
    inFlight.put(slot, running);
    busy.set(inFlight.size());
    count(task.name(), TaskState.STARTED);
    long startedAt = System.nanoTime();
    Future<Object> outcome = registry.find(task.name())
        .map(definition -> new TaskExecution(vertx, pool, definition, task, context).run())
        .orElseGet(() -> Future.failedFuture(new IllegalStateException(
            "task " + task.name() + " is not registered on worker " + broker.consumer())));
    outcome.transform(result -> running.handedBack().get()
            ? Future.succeededFuture(TaskState.PENDING.name())
            : settle(task, result.succeeded(), result.result(), result.cause(), SETTLE_ATTEMPTS))
        .onComplete(settled -> {
          inFlight.remove(slot);
          busy.set(inFlight.size());
          completed.incrementAndGet();
          taskMeters.recordDuration(task.name(), settled.succeeded() ? settled.result() : TaskMeters.UNKNOWN,
              System.nanoTime() - startedAt);
          running.done().complete();
          fill();
        });
  }

  private Future<Void> reportProgress(ClaimedTask task, String customState, JsonObject payload) {
    return broker.progress(task, customState, payload).compose(answer -> {
      if (answer.getBoolean("stopped", false)) {
        return Future.failedFuture(new TaskRevokedException(
            "task " + task.name() + "[" + task.id() + "] is " + answer.getString("state") + ": stop"));
      }
      JsonObject event = TaskEvents.event(task.id(), task.name(), TaskState.PROGRESS, answer.getLong("seq"),
          System.currentTimeMillis()).put("progress", payload);
      TaskEvents.publish(vertx, customState == null ? event : event.put("custom_state", customState));
      return Future.succeededFuture();
    });
  }

  /** Records the outcome; the Future holds the state recorded (or what it would have been, if it could not be). */
  private Future<String> settle(ClaimedTask task, boolean succeeded, Object value, Throwable error, int attempts) {
    String outcome;
    String payload;
    long retryAt = 0;
    // what the event adds to its state: the result, or the error
    String detail;
    Object detailValue;
    if (succeeded) {
      try {
        // ignore_result: the state is kept (SUCCESS, for waiters and lists), the value is neither stored nor sent
        Object kept = task.options().ignoreResult() ? null : value;
        payload = kept == null ? "null" : Json.encode(kept); // most tasks return nothing: no JSON generator for it
        outcome = TaskState.SUCCESS.name();
        detail = "result";
        detailValue = kept;
      } catch (EncodeException e) {
        return settle(task, false, null, new IllegalStateException("task " + task.name() + " returned a value that is not JSON: "
            + value.getClass().getName()), attempts);
      }
    } else {
      retryAt = RetryPolicy.retryAt(task.options(), settings.maxRetryBackoffMs(), task.retries(), error,
          System.currentTimeMillis(), ThreadLocalRandom.current()::nextDouble);
      outcome = retryAt < 0 ? TaskState.FAILURE.name() : TaskState.RETRY.name();
      TaskError taskError = TaskError.of(error);
      if (retryAt < 0 && error instanceof TaskRetry) {
        // Celery's MaxRetriesExceededError: the task asked for more retries than max_retries allows
        taskError = new TaskError("MaxRetriesExceeded", error.getMessage() + ", but max_retries ("
            + task.options().maxRetries() + ") is reached", taskError.stack());
      }
      JsonObject errorJson = taskError.toJson();
      payload = errorJson.encode();
      detail = "error";
      detailValue = errorJson;
    }
    return settlements.settle(new Broker.Settle(task, outcome, payload, retryAt)).compose(answer -> {
      if (answer.changed()) {
        TaskState recorded = TaskState.valueOf(answer.state());
        count(task.name(), recorded);
        if (recorded == TaskState.RETRY) {
          taskMeters.retried(task.name());
        }
        if (answer.bounded()) {
          Counter.builder(MetricNames.TASK_BOUND_HITS).tag(MetricNames.BOUND, "delayed").register(meters).increment();
        }
        TaskEvents.publish(vertx, TaskEvents.event(task.id(), task.name(), recorded, answer.seq(),
            System.currentTimeMillis()).put(detail, detailValue));
      }
      return Future.succeededFuture(answer.state() == null ? outcome : answer.state());
    }, err -> {
      if (stopping) {
        log.debug("task {}[{}]: outcome {} dropped while stopping ({})", task.name(), task.id(), outcome, err.getMessage());
        return Future.succeededFuture(outcome);
      }
      if (attempts <= 1) {
        log.error("task {}[{}]: outcome {} not recorded ({}); it will be reclaimed and run again", task.name(), task.id(),
            outcome, err.getMessage());
        return Future.succeededFuture(outcome);
      }
      long wait = 100L << (SETTLE_ATTEMPTS - attempts);
      return vertx.timer(wait).compose(v -> settle(task, succeeded, value, error, attempts - 1));
    });
  }

  private Future<Void> handBack(ClaimedTask task) {
    return broker.handBack(task).map(answer -> {
      if (answer.getBoolean("changed", false)) {
        TaskEvents.publish(vertx, TaskEvents.event(task.id(), task.name(), TaskState.PENDING, answer.getLong("seq"),
            System.currentTimeMillis()));
      }
      return (Void) null;
    }).otherwise(err -> {
      log.warn("task {}[{}] not handed back ({}): it will be reclaimed after the visibility timeout", task.name(),
          task.id(), err.getMessage());
      return null;
    });
  }

  private void heartbeat() {
    broker.touch(inFlight.values().stream().map(Running::task).toList())
        .onFailure(err -> log.warn("worker {}: heartbeat failed: {}", broker.consumer(), err.getMessage()));
  }

  /** Tasks that outlived {@code waitingTtlMs} in a queue no worker consumes end REVOKED (see {@link WaitingExpiry}). */
  private void expireWaiting() {
    if (sweeping || stopping) {
      return;
    }
    sweeping = true;
    expiry.sweep()
        .onSuccess(expired -> {
          if (expired > 0) {
            log.info("worker {}: {} task(s) waited longer than {} ms in queues no worker consumes: REVOKED (TaskExpired)",
                broker.consumer(), expired, settings.waitingTtlMs());
          }
        })
        .onFailure(err -> log.debug("worker {}: expiry sweep failed: {}", broker.consumer(), err.getMessage()))
        .onComplete(done -> sweeping = false);
  }

  private void promote() {
    if (promoting || stopping) {
      return;
    }
    promoting = true;
    broker.promote()
        .onFailure(err -> log.debug("worker {}: promote failed: {}", broker.consumer(), err.getMessage()))
        .onComplete(done -> promoting = false);
  }
}

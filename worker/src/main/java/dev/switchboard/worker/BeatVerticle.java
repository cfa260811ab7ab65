package dev.switchboard.worker;

import dev.switchboard.api.tasks.TaskException;
import dev.switchboard.api.tasks.TaskOptions;
import dev.switchboard.shared.config.ConfigException;
import dev.switchboard.shared.config.ScheduleSettings;
import dev.switchboard.shared.config.SwitchboardConfig;
import dev.switchboard.shared.metrics.MetricNames;
import dev.switchboard.shared.metrics.SwitchboardMetrics;
import dev.switchboard.shared.tasks.EnqueueGuard;
import dev.switchboard.shared.tasks.MultiplexedRedis;
import dev.switchboard.shared.tasks.RedisTaskClient;
import dev.switchboard.shared.tasks.Schedule;
import dev.switchboard.shared.tasks.ScheduleStore;
import dev.switchboard.shared.tasks.ScheduleTiming;
import dev.switchboard.shared.tasks.TaskKeys;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The periodic-task scheduler of one worker, Celery beat without its single-instance rule: every worker runs one, and
 * the one holding the {@link SchedulerLease} acts. Each tick ({@code schedules.tickMs}, sooner when an occurrence is
 * due) the leader renews its lease, reads the schedules and sends every occurrence due since the last one recorded
 * (at most {@code schedules.catchUp} per schedule, the newest), each with the task id {@code <name>:<instant>}
 * and through the fenced enqueue ({@link EnqueueGuard}), which records the occurrence in the same atomic step: an
 * occurrence is sent once, by the current leader only. The other workers try to take the lease twice a tick, so a
 * leader killed -9 is replaced within two ticks, and its successor picks up from the last occurrence recorded.
 *
 * <p>At start it writes the schedules the apps declare ({@code app.schedule(...)}). Stopping gives the lease up.
 */
public class BeatVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(BeatVerticle.class);

  private final List<Schedule> declared;
  private ScheduleSettings settings;
  private Redis redis;
  /** The node's task client, or null for a standalone scheduler, which makes its own at start and closes it. */
  private final RedisTaskClient shared;
  private RedisTaskClient client;
  private TaskKeys keys;
  private ScheduleStore store;
  private SchedulerLease lease;
  private MeterRegistry meters;
  /** The lease value while this scheduler leads, else null; only read and written on this verticle's context. */
  private String token;
  private long timer = -1;
  private boolean stopped;
  private Gauge leaderGauge;

  /**
   * {@code declared}: the apps' schedules, written to Redis at start; due occurrences are sent with {@code tasks}, the
   * node's task client, created once by its composition root.
   */
  public BeatVerticle(List<Schedule> declared, RedisTaskClient tasks) {
    this.declared = List.copyOf(declared);
    this.shared = Objects.requireNonNull(tasks, "the node's task client (a test's lone scheduler: standalone())");
  }

  private BeatVerticle(List<Schedule> declared) {
    this.declared = List.copyOf(declared);
    this.shared = null;
  }

  /** A scheduler with a task client of its own (closed when it stops): for tests; a node never builds one. */
  public static BeatVerticle standalone(List<Schedule> declared) {
    return new BeatVerticle(declared);
  }

  @Override
  public Future<?> start() {
    SwitchboardConfig config = SwitchboardConfig.fromJson(config());
    String url = config.redisUrl().orElseThrow(() -> new ConfigException("redis.url: the scheduler needs a Redis URL"));
    settings = config.schedules();
    keys = new TaskKeys(config.tasks().namespace());
    redis = MultiplexedRedis.create(vertx, new RedisOptions().setConnectionString(url).setPoolName("switchboard-scheduler"));
    client = shared != null ? shared : RedisTaskClient.create(vertx, url, config.tasks());
    store = new ScheduleStore(vertx, redis, keys, settings.max());
    lease = new SchedulerLease(redis, keys, "worker-" + ProcessHandle.current().pid() + "-"
        + UUID.randomUUID().toString().substring(0, 8), settings.leaseMs());
    meters = SwitchboardMetrics.registry(vertx);
    leaderGauge = Gauge.builder(MetricNames.SCHEDULER_LEADER, this, beat -> beat.token == null ? 0 : 1).register(meters);
    Future<?> saved = Future.succeededFuture();
    for (Schedule schedule : declared) {
      saved = saved.compose(v -> store.save(schedule)
          .onSuccess(created -> log.info("schedule {} {}", schedule.name(), created ? "added" : "updated"))
          .recover(err -> {
            log.error("schedule {} declared by an app was not saved: {}", schedule.name(), err.getMessage());
            return Future.succeededFuture();
          }));
    }
    return saved.onSuccess(v -> tick());
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(timer);
    Future<Void> released = token == null ? Future.succeededFuture()
        : lease.release(token).recover(err -> Future.succeededFuture());
    return released.eventually(() -> {
      token = null;
      meters.remove(leaderGauge);
      if (shared == null) {
        client.close();
      }
      return redis.close();
    });
  }

  /** The name this scheduler holds the lease under ({@code worker-<pid>-<random>}). */
  public String holder() {
    return lease.holder();
  }

  private void tick() {
    if (stopped) {
      return;
    }
    timer = -1;
    long started = System.currentTimeMillis();
    Future<Long> next = (token == null ? lead() : renew()).compose(leading -> leading ? pass() : Future.succeededFuture(
        (long) settings.tickMs() / 2));
    next.onComplete(done -> {
      // the next renewal one tick after this one began, however long this pass took: the lease lasts 1.5 ticks
      long delay = Math.min(done.succeeded() ? done.result() : settings.tickMs() / 2,
          settings.tickMs() - (System.currentTimeMillis() - started));
      if (done.failed()) {
        log.warn("scheduler tick failed (next try in {} ms): {}", delay, done.cause().getMessage());
      }
      if (!stopped) {
        timer = vertx.setTimer(Math.max(1, delay), id -> tick());
      }
    });
  }

  private Future<Boolean> lead() {
    return lease.acquire().map(acquired -> {
      if (acquired != null) {
        token = acquired;
        Counter.builder(MetricNames.SCHEDULER_TAKEOVERS).register(meters).increment();
        log.info("scheduler {} leads (token {})", lease.holder(), acquired);
      }
      return acquired != null;
    });
  }

  private Future<Boolean> renew() {
    return lease.renew(token).map(held -> {
      if (!held) {
        deposed();
      }
      return held;
    }).recover(err -> {
      // Redis unreachable: the lease may lapse meanwhile; the fence protects the next enqueue either way
      return Future.failedFuture(err);
    });
  }

  private void deposed() {
    if (token != null) {
      log.info("scheduler {} no longer leads (token {})", lease.holder(), token);
      token = null;
    }
  }

  /** Sends what is due; the Future holds the delay until the next tick (shorter when an occurrence is due sooner). */
  private Future<Long> pass() {
    String leading = token;
    return store.list().compose(snapshot -> {
      Instant now = Instant.now();
      List<Future<Void>> sends = snapshot.entries().stream().map(entry -> sendDue(leading, entry, now)).toList();
      long wake = settings.tickMs();
      for (ScheduleStore.Entry entry : snapshot.entries()) {
        Instant next = entry.schedule().timing().nextAfter(now);
        if (next != null) {
          wake = Math.min(wake, next.toEpochMilli() - System.currentTimeMillis());
        }
      }
      long delay = wake;
      return Future.join(sends).map(v -> delay);
    });
  }

  private Future<Void> sendDue(String leading, ScheduleStore.Entry entry, Instant now) {
    Schedule schedule = entry.schedule();
    ScheduleTiming.Due due = schedule.timing().due(Instant.ofEpochMilli(entry.run().getLong("at", 0L)), now,
        settings.catchUp());
    if (due.truncated()) {
      count("skipped");
      log.warn("schedule {}: more than {} occurrences were missed (no scheduler ran); only the newest are sent",
          schedule.name(), settings.catchUp());
    }
    Future<Void> chain = Future.succeededFuture();
    for (Instant occurrence : due.occurrences()) {
      chain = chain.compose(v -> leading.equals(token) ? send(leading, schedule, occurrence) : Future.succeededFuture());
    }
    return chain;
  }

  private Future<Void> send(String leading, Schedule schedule, Instant occurrence) {
    long at = occurrence.toEpochMilli();
    String id = schedule.taskId(occurrence);
    TaskOptions options = schedule.optionsFor(occurrence);
    EnqueueGuard guard = EnqueueGuard.scheduleOccurrence(keys, leading, schedule.name(), at,
        new JsonObject().put("at", at).put("id", id).put("sent", System.currentTimeMillis()));
    return client.apply(schedule.task(), schedule.args(), schedule.kwargs(), options, guard)
        .<Void>map(handle -> {
          count(handle.created() ? "sent" : "duplicate");
          return null;
        })
        .recover(err -> {
          if (err instanceof EnqueueGuard.Refused refused) {
            if (refused.reason().equals("fenced")) {
              deposed();
            }
            return Future.succeededFuture();
          }
          if (err instanceof TaskException problem) {
            // the task cannot be sent as declared (unknown task, bad arguments, queue refused): recorded, not retried
            log.warn("schedule {}: occurrence {} not sent: {}", schedule.name(), occurrence, problem.getMessage());
            count("failed");
            return EnqueueGuard.scheduleOccurrence(keys, leading, schedule.name(), at, new JsonObject().put("at", at)
                    .put("error", problem.getMessage()))
                .recordOnly(redis).<Void>mapEmpty()
                .recover(again -> Future.succeededFuture());
          }
          // Redis away or too slow: the next tick tries this occurrence again
          return Future.failedFuture(err);
        });
  }

  private void count(String outcome) {
    Counter.builder(MetricNames.SCHEDULE_OCCURRENCES).tag(MetricNames.OUTCOME, outcome).register(meters).increment();
  }
}

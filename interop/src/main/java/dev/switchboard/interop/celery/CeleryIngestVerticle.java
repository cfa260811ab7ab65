package dev.switchboard.interop.celery;

import dev.switchboard.api.tasks.TaskException;
import dev.switchboard.api.tasks.TaskOptions;
import dev.switchboard.api.tasks.TaskRetry;
import dev.switchboard.shared.config.InteropSettings;
import dev.switchboard.shared.config.SwitchboardConfig;
import dev.switchboard.shared.config.TaskSettings;
import dev.switchboard.shared.metrics.SwitchboardMetrics;
import dev.switchboard.shared.tasks.LuaScript;
import dev.switchboard.shared.tasks.RedisTaskClient;
import dev.switchboard.shared.tasks.TaskKeys;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.ProtocolVersion;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes Celery traffic on a worker node: Python code's {@code task.delay()} / {@code send_task()} to the Celery
 * queues in {@code celery.queues} run as Switchboard tasks, and Python reads their state and result from the
 * Celery backend as usual ({@code AsyncResult.ready()}, {@code .state}, {@code .info}, {@code .get()}).
 *
 * <p>Per queue, one loop moves each envelope atomically onto an ingesting list ({@code take.lua}), then into a
 * Switchboard task hash and stream under the Celery id ({@code ingest.lua}, which removes it from the list in the
 * same step): a crash at any point leaves the envelope in Redis, and re-reading it creates no second task.
 *
 * <p>When {@code celery.brokerUrl} names another Redis than Switchboard's, no script spans both: the ingesting
 * list lives on the Celery broker, the task is created idempotently under the Celery id on Switchboard's Redis,
 * and only then does the envelope leave the list (a crash in between leaves it there, and re-reading it finds the
 * task: nothing lost, nothing run twice). The metas of later state changes go through an outbox on Switchboard's
 * Redis that {@link CeleryMetaRelay} writes on the Celery Redis; revokes are heard on the Celery broker. The
 * ingesting lists are re-read at start and every visibility timeout ({@code tasks.visibilityTimeoutMs}, as a
 * killed worker's running tasks are reclaimed): an envelope a killed worker had taken waits no longer than its
 * running tasks do. From then on the Switchboard runtime owns
 * the task (visibility timeout with heartbeats, retries, revokes), and every state change writes Celery's result
 * meta in the same Lua script ({@code celery_meta.lua}). Revokes broadcast by {@code app.control.revoke(id)} are
 * applied durably. What the worker cannot run (unknown task, pickle, compression, canvas) ends FAILURE with a
 * message, never silently. Deploy on worker nodes when {@code celery.queues} is set.
 */
public final class CeleryIngestVerticle extends VerticleBase {

  static final String INGESTED = "switchboard.celery.ingested";
  private static final Logger log = LoggerFactory.getLogger(CeleryIngestVerticle.class);
  private static final LuaScript TAKE = LuaScript.load(CeleryIngestVerticle.class, "take.lua");
  private static final LuaScript INGEST = LuaScript.load(CeleryIngestVerticle.class, "ingest.lua", LuaScript.NEW_TASK);
  private static final LuaScript REFUSE = LuaScript.load(CeleryIngestVerticle.class, "refuse.lua");
  private static final long RETRY_MS = 1_000;
  /** Celery's {@code Task.max_retries} default: the bound of the retries a task asks for. */
  static final int CELERY_MAX_RETRIES = 3;
  /** Envelopes re-read from an ingesting list per recovery pass, at most. */
  private static final int RECOVER_BATCH = 100;

  private InteropSettings.Celery celery;
  private TaskSettings tasks;
  private CeleryKeys keys;
  private Redis redis;
  /** The Celery broker's Redis: {@link #redis} itself unless celery.brokerUrl names another. */
  private Redis broker;
  private boolean separate;
  private Redis blocking;
  private Redis relayBlocking;
  private CeleryMetaRelay relay;
  /** The node's task client, or null for a standalone verticle, which makes its own at start and closes it. */
  private final RedisTaskClient shared;
  private RedisTaskClient client;
  private CeleryRevokes revokes;
  private boolean running;
  private long recoverTimer;

  /** Feeds the node's worker, checking and recording tasks with {@code tasks}, the node's task client. */
  public CeleryIngestVerticle(RedisTaskClient tasks) {
    this.shared = Objects.requireNonNull(tasks, "the node's task client (a test's lone ingest: standalone())");
  }

  private CeleryIngestVerticle() {
    this.shared = null;
  }

  /** An ingest with a task client of its own (closed when it stops): for tests; a node never builds one. */
  public static CeleryIngestVerticle standalone() {
    return new CeleryIngestVerticle();
  }

  @Override
  public Future<?> start() {
    SwitchboardConfig config = SwitchboardConfig.fromJson(config());
    celery = config.interop().celery();
    tasks = config.tasks();
    String url = config.redisUrl().orElseThrow();
    String brokerUrl = celery.brokerUrl().orElse(url);
    separate = !brokerUrl.equals(url);
    keys = new CeleryKeys(new TaskKeys(tasks.namespace()));
    RedisOptions options = new RedisOptions().setConnectionString(url);
    RedisOptions brokerOptions = new RedisOptions().setConnectionString(brokerUrl);
    redis = Redis.createClient(vertx, new RedisOptions(options).setMaxPoolSize(4).setMaxWaitingHandlers(1024));
    broker = separate ? Redis.createClient(vertx, new RedisOptions(brokerOptions).setMaxPoolSize(4).setMaxWaitingHandlers(1024))
        : redis;
    blocking = Redis.createClient(vertx, new RedisOptions(brokerOptions).setMaxPoolSize(celery.queues().size()));
    client = shared != null ? shared : RedisTaskClient.create(vertx, url, tasks);
    revokes = new CeleryRevokes(vertx, brokerOptions, CeleryKeys.pidboxPattern(brokerOptions), client, keys, redis);
    if (separate) {
      relayBlocking = Redis.createClient(vertx, new RedisOptions(options).setMaxPoolSize(1)
          .setPreferredProtocolVersion(ProtocolVersion.RESP2));
      relay = new CeleryMetaRelay(vertx, redis, relayBlocking, broker, keys.outbox(),
          "relay-" + UUID.randomUUID(), tasks.visibilityTimeoutMs());
    }
    running = true;
    return redis.send(Request.cmd(Command.PING))
        .compose(v -> broker.send(Request.cmd(Command.PING)))
        .compose(v -> revokes.start())
        .compose(v -> relay != null ? relay.start() : Future.succeededFuture())
        .onSuccess(v -> {
          log.info("Celery queues {} feed this worker (aliases {}{})", celery.queues(), celery.aliases(),
              separate ? ", Celery broker " + brokerUrl : "");
          recover();
          recoverTimer = vertx.setPeriodic(Math.max(100, tasks.visibilityTimeoutMs()), id -> recover());
          celery.queues().forEach(queue -> blocking.connect()
              .onSuccess(connection -> next(queue, connection))
              .onFailure(err -> log.error("Celery queue {}: no Redis connection: {}", queue, err.getMessage())));
        });
  }

  @Override
  public Future<?> stop() {
    running = false;
    vertx.cancelTimer(recoverTimer);
    revokes.stop();
    if (relay != null) {
      relay.stop();
    }
    if (shared == null) {
      client.close();
    }
    return Future.join(blocking.close(), redis.close(), separate ? broker.close() : Future.succeededFuture(),
        relayBlocking != null ? relayBlocking.close() : Future.succeededFuture());
  }

  /** Takes and ingests one envelope after another; when all lists are empty, blocks a second on the main list. */
  private void next(String queue, RedisConnection connection) {
    if (!running) {
      connection.close();
      return;
    }
    TAKE.run(broker, keys.takeKeys(queue), List.of())
        .compose(taken -> taken != null ? Future.succeededFuture(taken.toString()) : connection.send(
                Request.cmd(Command.BLMOVE).arg(queue).arg(keys.ingesting(queue)).arg("RIGHT").arg("LEFT").arg(1))
            .map(moved -> moved == null ? null : moved.toString()))
        .compose(envelope -> envelope == null ? Future.succeededFuture() : ingest(queue, envelope))
        .onSuccess(v -> next(queue, connection))
        .onFailure(err -> {
          if (!running) {
            return; // stopping closed the connection
          }
          log.warn("Celery queue {}: {}; retrying in {} ms", queue, err.getMessage(), RETRY_MS);
          vertx.setTimer(RETRY_MS, id -> next(queue, connection));
        });
  }

  /** Envelopes left on an ingesting list by a worker that stopped between take and ingest: ingested again (no-op if done). */
  private void recover() {
    for (String queue : celery.queues()) {
      broker.send(Request.cmd(Command.LRANGE).arg(keys.ingesting(queue)).arg(0).arg(RECOVER_BATCH - 1))
          .onSuccess(list -> list.forEach(envelope -> ingest(queue, envelope.toString())))
          .onFailure(err -> log.warn("Celery queue {}: recovery failed: {}", queue, err.getMessage()));
    }
  }

  private Future<Void> ingest(String queue, String raw) {
    CeleryEnvelope envelope = CeleryEnvelope.parse(raw);
    if (envelope.refusal() != null) {
      return refuse(queue, envelope, envelope.refusal());
    }
    String name = celery.taskName(envelope.task());
    return client.signature(name)
        .compose(signature -> {
          JsonArray bound = signature.bind(name, envelope.args(), envelope.kwargs());
          TaskOptions options = options(queue, envelope);
          long now = System.currentTimeMillis();
          return INGEST.run(redis, keys.ingestKeys(queue, envelope.id(), options), List.of(raw, envelope.id(), name,
              bound.encode(), envelope.kwargs().encode(), options.toStored(now).encode(), now, options.etaMillis(now),
              tasks.maxQueueLength(), options.queue(), options.priority(), TaskKeys.HISTORY_LENGTH,
              celery.resultExpires(), envelope.retries(), tasks.resultTtlMs(), separate ? "0" : "1",
              separate ? keys.outbox() : ""));
        })
        .compose(reply -> {
          JsonObject answer = new JsonObject(reply.toString());
          if (answer.getBoolean("full", false)) {
            return Future.failedFuture("queue full: Celery task " + envelope.id() + " waits on " + keys.ingesting(queue));
          }
          if (answer.getBoolean("created", false)) {
            Counter.builder(INGESTED).description("Celery task messages taken into Switchboard tasks")
                .tag("queue", queue).register(SwitchboardMetrics.registry(vertx)).increment();
          }
          // on another Redis the envelope leaves the ingesting list only now that its task exists
          return separate ? broker.send(Request.cmd(Command.LREM).arg(keys.ingesting(queue)).arg(1).arg(raw)).<Void>mapEmpty()
              : Future.<Void>succeededFuture();
        })
        .recover(err -> err instanceof TaskException refused ? refuse(queue, envelope, refusal(name, refused))
            : Future.failedFuture(err));
  }

  private Future<Void> refuse(String queue, CeleryEnvelope envelope, CeleryEnvelope.Refusal refusal) {
    log.warn("Celery task {} ({}) on queue {} not run: {}", envelope.id(), envelope.task(), queue, refusal.message());
    List<Object> args = new ArrayList<>(List.of(envelope.raw(), envelope.id() == null ? "" : envelope.id(),
        refusal.toCeleryResult(), System.currentTimeMillis(), celery.resultExpires()));
    args.addAll(envelope.downstream());
    return REFUSE.run(broker, List.of(keys.ingesting(queue)), args).mapEmpty();
  }

  private static CeleryEnvelope.Refusal refusal(String name, TaskException error) {
    return switch (error.reason()) {
      case UNKNOWN_TASK -> new CeleryEnvelope.Refusal("NotRegistered", "celery.exceptions",
          "no Switchboard task \"" + name + "\" (map Python names with celery.aliases): " + error.getMessage());
      case INVALID_REQUEST -> new CeleryEnvelope.Refusal("TypeError", "builtins", error.getMessage());
      default -> new CeleryEnvelope.Refusal("TaskError", "switchboard", error.getMessage());
    };
  }

  /**
   * The Switchboard options of a Celery message: its id, eta, expires, priority and time limits. Retries are
   * Celery's: only those the task asks for ({@code context.retry(...)}, Python's {@code self.retry()}), up to
   * Celery's default {@code max_retries} counting the message's own {@code retries}; no exception is retried by itself.
   */
  private TaskOptions options(String queue, CeleryEnvelope envelope) {
    String target = tasks.queues().contains(queue) ? queue : tasks.queues().get(0);
    TaskOptions defaults = TaskOptions.defaults();
    TaskOptions options = defaults.withTaskId(envelope.id()).withQueue(target)
        .withPriority(envelope.switchboardPriority())
        .withRetries(CELERY_MAX_RETRIES, defaults.retryBackoff(), defaults.retryBackoffMax(), defaults.retryJitter())
        .withRetryOn(List.of(TaskRetry.class.getName()));
    if (envelope.eta() != null) {
      options = options.withEta(envelope.eta());
    }
    if (envelope.expires() != null) {
      options = options.withExpires(envelope.expires());
    }
    if (envelope.softLimit() != null || envelope.hardLimit() != null) {
      options = options.withTimeLimits(seconds(envelope.softLimit()), seconds(envelope.hardLimit()));
    }
    return options;
  }

  private static Duration seconds(Double value) {
    return value == null || value <= 0 ? null : Duration.ofMillis(Math.round(value * 1000));
  }
}

package dev.switchboard.shared.tasks;

import dev.switchboard.api.tasks.TaskClient;
import dev.switchboard.api.tasks.TaskException;
import dev.switchboard.api.tasks.TaskHandle;
import dev.switchboard.api.tasks.TaskInfo;
import dev.switchboard.api.tasks.TaskState;
import dev.switchboard.api.tasks.TaskOptions;
import dev.switchboard.api.tasks.TaskSignature;
import dev.switchboard.shared.config.TaskSettings;
import dev.switchboard.shared.metrics.SwitchboardMetrics;
import dev.switchboard.shared.metrics.TaskMeters;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;

/**
 * The Redis {@link TaskClient}: sends tasks and reads their state, Celery's {@code delay}/{@code apply_async}/{@code AsyncResult}, from any
 * verticle on any node: it talks to Redis directly. Thread-safe; one instance per node is enough
 * ({@link #forNode}). Calls are checked against the task's published signature before anything is queued.
 *
 * <p>Every Future fails with a {@link TaskException} whose {@link TaskException.Reason} says why (unknown task,
 * invalid arguments or options, no such id, queue full, failed, revoked), or with a
 * {@link RedisUnavailableException} when Redis cannot be reached or does not answer in time; the Redis connection
 * reconnects by itself.
 */
public final class RedisTaskClient implements TaskClient {

  /** The libraries enqueue.lua needs; a guarded enqueue ({@link EnqueueGuard}) loads the same ones. */
  static final String[] ENQUEUE_LIBRARIES = {LuaScript.NEW_TASK};
  private static final LuaScript REVOKE = LuaScript.load(RedisTaskClient.class, "revoke.lua", LuaScript.NEW_TASK, LuaScript.WORKFLOW_STEPS,
      "revoke_task.lua");
  private static final long SIGNATURE_TTL_MS = 5_000;
  /** The Redis client's name in the {@code vertx_pool_*} meters (pool_type=redis). */
  public static final String REDIS_NAME = "switchboard-task-client";
  /** The notify-channel subscriber's name in the {@code vertx_pool_*} meters. */
  public static final String NOTIFY_NAME = "switchboard-task-notify";
  private static final int MAX_CACHED_SIGNATURES = 1024;

  private record Cached(TaskSignature signature, long fetchedAt) {
  }

  private final Vertx vertx;
  private final Redis redis;
  private final TaskKeys keys;
  private final TaskSettings settings;
  private final Map<String, Cached> signatures = new ConcurrentHashMap<>();
  /** Signature reads under way, one per name (bounded like the cache). */
  private final Map<String, Future<TaskSignature>> signatureReads = new ConcurrentHashMap<>();
  private final TaskWaiters waiters;
  private final ConsumedQueues queues;
  private final RedisWorkflowClient workflows;
  private final BatchedEnqueue batches;
  private final TaskMeters taskMeters;

  private RedisTaskClient(Vertx vertx, String redisUrl, TaskSettings settings, Context home) {
    this.vertx = vertx;
    this.taskMeters = new TaskMeters(SwitchboardMetrics.registry(vertx));
    // named so that its connection shows in the vertx_pool_* meters (pool_type=redis)
    this.redis = MultiplexedRedis.create(vertx, new RedisOptions().setConnectionString(redisUrl)
        .setPoolName(REDIS_NAME), home);
    this.settings = settings;
    this.keys = new TaskKeys(settings.namespace());
    this.queues = new ConsumedQueues(redis, keys, java.util.stream.Stream.concat(settings.queues().stream(),
        settings.acceptedQueues().stream()).toList());
    this.waiters = new TaskWaiters(vertx, home, redis, new RedisOptions().setConnectionString(redisUrl)
        .setPoolName(NOTIFY_NAME), keys,
        keys.notifyChannel(UUID.randomUUID().toString()), settings.pollIntervalMs(), settings.maxWaiters());
    this.workflows = new RedisWorkflowClient(vertx, redis, keys, settings, queues::check, this::signature);
    this.batches = new BatchedEnqueue(home, redis, keys, settings.maxQueueLength(), waiters.channel(), this::replicated);
  }

  /**
   * A client with its own pipelined Redis connection ({@link MultiplexedRedis}) and its own notify channel (one
   * more connection, subscribed on first use); {@link #close()} it when done. Both live on the calling event-loop
   * context if there is one (calls from it then never change threads), else on a context of their own.
   */
  public static RedisTaskClient create(Vertx vertx, String redisUrl, TaskSettings settings) {
    return new RedisTaskClient(vertx, redisUrl, settings, MultiplexedRedis.homeContext(vertx, false));
  }

  /**
   * A client for a whole node, created once by its composition root and handed to verticles that come and go: its
   * connections live on a context of their own. {@link #close()} it when the node stops.
   */
  public static RedisTaskClient forNode(Vertx vertx, String redisUrl, TaskSettings settings) {
    return new RedisTaskClient(vertx, redisUrl, settings, MultiplexedRedis.homeContext(vertx, true));
  }

  public TaskKeys keys() {
    return keys;
  }

  public TaskSettings settings() {
    return settings;
  }

  /** Chains, groups and chords over the same Redis (and the same checks) as this client's tasks. */
  @Override
  public RedisWorkflowClient workflows() {
    return workflows;
  }

  /**
   * Queues {@code name(*args, **kwargs)} with {@code options}. With a caller-chosen {@code taskId} that
   * already exists nothing is queued and the handle's {@link TaskHandle#created()} is false.
   */
  @Override
  public Future<TaskHandle> apply(String name, JsonArray args, JsonObject kwargs, TaskOptions options) {
    return enqueue(name, args, kwargs, options, null);
  }

  /**
   * As {@link #apply}, but the enqueue script first runs {@code guard}'s check ({@link EnqueueGuard}), atomically with
   * it: when the check refuses, nothing is written and the Future fails with {@link EnqueueGuard.Refused}.
   */
  public Future<TaskHandle> apply(String name, JsonArray args, JsonObject kwargs, TaskOptions options, EnqueueGuard guard) {
    return enqueue(name, args, kwargs, options, guard);
  }

  private Future<TaskHandle> enqueue(String name, JsonArray args, JsonObject kwargs, TaskOptions options, EnqueueGuard guard) {
    // subscribed before the task exists, so its final state cannot be published unheard
    return waiters.subscribed().compose(v -> queues.check(options.queue())).compose(v -> signature(name)).compose(signature -> {
      JsonArray bound = signature.bind(name, args, kwargs);
      String id = options.taskId() != null ? options.taskId() : UUID.randomUUID().toString();
      long now = System.currentTimeMillis();
      String encodedKwargs = (kwargs == null ? new JsonObject() : kwargs).encode();
      String stored = options.toStored(now).encode();
      Future<String> outcome;
      if (guard == null) {
        // unguarded enqueues share script calls with the others in flight (BatchedEnqueue)
        outcome = batches.submit(new BatchedEnqueue.Task(id, name, bound.encode(), encodedKwargs, stored, now,
            options.etaMillis(now), options.queue(), options.priority(), options.expiresMillis(now)));
      } else {
        List<Object> argv = List.of(id, name, bound.encode(), encodedKwargs, stored, now, options.etaMillis(now),
            settings.maxQueueLength(), options.queue(), options.priority(), waiters.channel(), TaskKeys.HISTORY_LENGTH,
            TaskKeys.MAX_QUEUES);
        List<String> scriptKeys = List.of(keys.task(id), keys.stream(options.queue(), options.priority()),
            keys.delayed(), keys.recent(), keys.queues(), keys.stats());
        outcome = guard.run(redis, scriptKeys, argv).compose(this::replicated).map(reply -> {
          JsonObject answer = new JsonObject(reply.toString());
          guard.check(answer);
          return answer.getBoolean("queues", false) ? "queues" : answer.getBoolean("full", false) ? "full"
              : answer.getBoolean("created", false) ? "created" : "existing:" + answer.getString("state");
        });
      }
      return outcome.map(answer -> {
        if (answer.equals("queues")) {
          throw new TaskException(TaskException.Reason.QUEUE_FULL, "queue " + options.queue() + " is one too many: "
              + TaskKeys.MAX_QUEUES + " queues exist already; " + name + " not queued");
        }
        if (answer.equals("full")) {
          throw new TaskException(TaskException.Reason.QUEUE_FULL,
              "queue " + options.queue() + " is full (" + settings.maxQueueLength() + " tasks): " + name + " not queued");
        }
        boolean created = answer.equals("created");
        if (created) {
          count(name, TaskState.PENDING);
          TaskEvents.publish(vertx, TaskEvents.event(id, name, TaskState.PENDING, 1, now));
        }
        return new RedisTaskHandle(this, id, created, created);
      });
    });
  }

  /**
   * With {@code tasks.enqueueReplicas} n > 0, the enqueue's answer only once n replicas acknowledged every write
   * this connection made so far ({@code WAIT}, pipelined right after the script); fewer within the timeout fails
   * with {@link RedisUnavailableException}: the task is on the primary but a failover could still lose it, so the
   * caller should send it again (with its {@code task_id}, idempotently).
   */
  private Future<Response> replicated(Response reply) {
    int replicas = settings.enqueueReplicas();
    if (replicas == 0) {
      return Future.succeededFuture(reply);
    }
    return redis.send(Request.cmd(Command.WAIT).arg(replicas).arg(settings.enqueueReplicaTimeoutMs())).compose(acked -> {
      if (acked.toInteger() < replicas) {
        return Future.failedFuture(new RedisUnavailableException("only " + acked.toInteger() + " of " + replicas
            + " Redis replicas acknowledged the task within " + settings.enqueueReplicaTimeoutMs() + " ms", null));
      }
      return Future.succeededFuture(reply);
    });
  }

  /** A handle on an existing task id (for instance one read back from an HTTP call). */
  @Override
  public TaskHandle handle(String id) {
    return new RedisTaskHandle(this, id, false, false);
  }

  /** The task's current state; fails with NO_SUCH_TASK for an unknown or expired id. */
  @Override
  public Future<TaskInfo> info(String id) {
    return redis.send(Request.cmd(Command.HGETALL).arg(keys.task(id))).map(reply -> {
      Map<String, String> hash = toMap(reply);
      if (hash.isEmpty()) {
        throw new TaskException(TaskException.Reason.NO_SUCH_TASK, "no task with id " + id + " (unknown or expired)");
      }
      return TaskInfo.fromHash(hash);
    });
  }

  /**
   * Revokes the task everywhere, durably: a waiting task never runs, a running one is told at its next progress
   * report and its result is discarded. A finished task keeps its state. The Future holds the resulting state.
   */
  @Override
  public Future<TaskState> revoke(String id) {
    long now = System.currentTimeMillis();
    return REVOKE.run(redis, List.of(keys.task(id), keys.delayed()), List.of(id, now, settings.resultTtlMs()))
        .map(reply -> {
          JsonObject answer = new JsonObject(reply.toString());
          if (answer.getBoolean("missing", false)) {
            throw new TaskException(TaskException.Reason.NO_SUCH_TASK, "no task with id " + id + " to revoke");
          }
          if (answer.getBoolean("changed", false)) {
            count(answer.getString("name"), TaskState.REVOKED);
            TaskEvents.publish(vertx, TaskEvents.event(id, answer.getString("name"), TaskState.REVOKED,
                answer.getLong("seq"), now));
          }
          return TaskState.valueOf(answer.getString("state"));
        });
  }

  /**
   * Sends a task that ended in FAILURE or was REVOKED once more, as a new task: same name, arguments, queue, priority,
   * retry policy and time limits, no countdown and no expiry (those were about the first run). The dashboard's
   * "retry". Fails with NO_SUCH_TASK for an unknown or expired id, INVALID_REQUEST for a task in another state.
   */
  @Override
  public Future<TaskHandle> retry(String id) {
    return redis.send(Request.cmd(Command.HGETALL).arg(keys.task(id))).compose(reply -> {
      Map<String, String> hash = toMap(reply);
      if (hash.isEmpty()) {
        throw new TaskException(TaskException.Reason.NO_SUCH_TASK, "no task with id " + id + " to retry (unknown or expired)");
      }
      TaskInfo info = TaskInfo.fromHash(hash);
      if (info.state() != TaskState.FAILURE && info.state() != TaskState.REVOKED) {
        throw new TaskException(TaskException.Reason.INVALID_REQUEST,
            "task " + id + " is " + info.state() + ": only FAILURE or REVOKED tasks can be retried");
      }
      JsonObject stored = hash.containsKey("options") ? new JsonObject(hash.get("options")) : new JsonObject();
      TaskOptions options = TaskOptions.fromStored(stored.put("eta", 0L).put("expires", 0L));
      return apply(info.name(), info.args(), info.kwargs(), options);
    });
  }

  /**
   * Completes with the task's final state (SUCCESS, FAILURE or REVOKED) as soon as it is reached: from this
   * client's notify channel for the tasks it queued, from one batched re-read of Redis every
   * {@code pollIntervalMs} shared by all waiting calls otherwise (and behind the channel). The snapshot holds
   * id, name, state, seq, result and error, not the arguments ({@link #info} has everything). Fails with a
   * {@link TimeoutException} after {@code timeout}, with NO_SUCH_TASK for an unknown or expired id, with
   * QUEUE_FULL when {@code tasks.maxWaiters} calls already wait.
   */
  @Override
  public Future<TaskInfo> awaitFinal(String id, Duration timeout) {
    return waiters.await(id, timeout, false);
  }

  Future<TaskInfo> awaitFinal(String id, Duration timeout, boolean notified) {
    return waiters.await(id, timeout, notified);
  }

  /** Number of {@code get()}/{@link #awaitFinal} calls waiting now on this client. */
  public int waiting() {
    return waiters.size();
  }

  /** Publishes a task's signature so that clients accept calls to it; workers do this when they start. */
  public Future<Void> register(String name, TaskSignature signature) {
    signatures.remove(name);
    return redis.send(Request.cmd(Command.HSET).arg(keys.signatures()).arg(name).arg(signature.toJson().encode()))
        .mapEmpty();
  }

  /**
   * The signature workers published for {@code name}; fails with UNKNOWN_TASK when there is none. Cached for
   * {@link #SIGNATURE_TTL_MS}; when the cache runs out, the calls that miss it at once share one read (without this,
   * every enqueue in flight at that moment read the hash again: 237 reads for 2,241 tasks in one measured run).
   */
  @Override
  public Future<TaskSignature> signature(String name) {
    Cached cached = signatures.get(name);
    long now = System.currentTimeMillis();
    if (cached != null && now - cached.fetchedAt < SIGNATURE_TTL_MS) {
      return Future.succeededFuture(cached.signature);
    }
    Future<TaskSignature> shared = signatureReads.get(name);
    if (shared != null) {
      return onCallersContext(shared);
    }
    if (signatureReads.size() >= MAX_CACHED_SIGNATURES) {
      return readSignature(name, now);
    }
    Future<TaskSignature> mine = readSignature(name, now);
    shared = signatureReads.putIfAbsent(name, mine);
    if (shared != null) {
      return onCallersContext(shared);
    }
    mine.onComplete(done -> signatureReads.remove(name, mine));
    return mine;
  }

  /** A read another caller started completes on that caller's context: continue on this one's (its HTTP response, say). */
  private static <T> Future<T> onCallersContext(Future<T> shared) {
    Context caller = Vertx.currentContext();
    if (caller == null) {
      return shared;
    }
    io.vertx.core.Promise<T> promise = io.vertx.core.Promise.promise();
    shared.onComplete(outcome -> {
      if (Vertx.currentContext() == caller) {
        promise.handle(outcome);
      } else {
        caller.runOnContext(v -> promise.handle(outcome));
      }
    });
    return promise.future();
  }

  private Future<TaskSignature> readSignature(String name, long now) {
    return redis.send(Request.cmd(Command.HGET).arg(keys.signatures()).arg(name)).map(reply -> {
      if (reply == null) {
        throw new TaskException(TaskException.Reason.UNKNOWN_TASK, "no task named \"" + name + "\" is registered");
      }
      TaskSignature signature = TaskSignature.fromJson(new JsonArray(reply.toString()));
      if (signatures.size() >= MAX_CACHED_SIGNATURES) {
        signatures.clear();
      }
      signatures.put(name, new Cached(signature, now));
      return signature;
    });
  }

  /** Reads what the task system holds: recent and failed tasks, queue depths, for dashboards and tools. */
  public TaskInspector inspector() {
    return new TaskInspector(redis, keys);
  }

  /** Pauses, resumes and purges queues, cluster-wide (see {@link QueueControl}). */
  public QueueControl queueControl() {
    return new QueueControl(vertx, redis, keys, settings.resultTtlMs(), java.util.stream.Stream.concat(
        settings.queues().stream(), settings.acceptedQueues().stream()).toList());
  }

  /** The periodic tasks in Redis, at most {@code max} ({@code schedules.max}), on this client's connection. */
  public ScheduleStore schedules(int max) {
    return new ScheduleStore(vertx, redis, keys, max);
  }

  public void close() {
    waiters.close();
    redis.close();
  }

  /** Submissions and revocations are counted where they happen; the worker counts the rest. */
  private void count(String name, TaskState state) {
    taskMeters.count(name, state);
  }

  /** A hash reply as a map, whether Redis answered in RESP3 (a map) or RESP2 (a flat array). */
  static Map<String, String> toMap(Response reply) {
    Map<String, String> map = new HashMap<>();
    if (reply == null) {
      return map;
    }
    if (reply.isMap()) {
      reply.getKeys().forEach(key -> map.put(key, reply.get(key).toString()));
    } else {
      for (int i = 0; i + 1 < reply.size(); i += 2) {
        map.put(reply.get(i).toString(), reply.get(i + 1).toString());
      }
    }
    return map;
  }
}

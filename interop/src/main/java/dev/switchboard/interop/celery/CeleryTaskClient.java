package dev.switchboard.interop.celery;

import dev.switchboard.api.tasks.TaskClient;
import dev.switchboard.api.tasks.TaskError;
import dev.switchboard.api.tasks.TaskException;
import dev.switchboard.api.tasks.TaskHandle;
import dev.switchboard.api.tasks.TaskInfo;
import dev.switchboard.api.tasks.TaskOptions;
import dev.switchboard.api.tasks.TaskSignature;
import dev.switchboard.api.tasks.TaskState;
import dev.switchboard.shared.context.CallerContext;
import dev.switchboard.shared.tasks.LuaScript;
import dev.switchboard.shared.tasks.TaskKeys;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * A {@link TaskClient} for tasks that Python Celery workers run: {@code apply} sends a task message in Celery's
 * protocol v2 (JSON) to a Celery queue on Redis, and states and results are read from the Celery result backend
 * ({@code celery-task-meta-<id>}) and mapped to Switchboard's states (PENDING when there is no meta yet, a custom
 * state such as PROGRESS with its meta as progress, FAILURE with the Python exception as the error, whose type is
 * {@code module.Class}). Revokes are broadcast on Celery's control channel, as {@code app.control.revoke} does.
 * Signatures of Python tasks are not known here: arguments go as given. Each task sent is remembered (its name and
 * queue, for as long as Celery keeps its result), so that {@link #info} tells a task still waiting for a Python
 * worker (PENDING) from an id nobody sent (NO_SUCH_TASK), which Celery itself cannot. Safe from any thread;
 * {@link #close} it.
 */
public final class CeleryTaskClient implements TaskClient {

  /** Waits on results at most at once; beyond, awaitFinal fails (QUEUE_FULL) rather than pile up. */
  public static final int MAX_WAITERS = 10_000;
  /** Celery's default {@code result_expires}: one day. */
  public static final int DEFAULT_RESULT_EXPIRES = 86_400;
  private static final LuaScript SEND = LuaScript.load(CeleryTaskClient.class, "send.lua");

  private final Vertx vertx;
  private final Redis redis;
  private final Redis subscriber;
  private final String defaultQueue;
  private final String pidbox;
  private final CeleryKeys keys;
  private final int resultExpires;
  private final Map<String, List<Promise<JsonObject>>> waiters = new HashMap<>();
  private Future<RedisConnection> subscription;

  /** Sends to {@code defaultQueue} (Celery's is "celery") when the options name Switchboard's default queue. */
  public CeleryTaskClient(Vertx vertx, String redisUrl, String defaultQueue) {
    this(vertx, redisUrl, defaultQueue, "", DEFAULT_RESULT_EXPIRES);
  }

  /**
   * As above, remembering the tasks it sends under the task keys of {@code namespace} for {@code resultExpires}
   * seconds (Celery's {@code result_expires}).
   */
  public CeleryTaskClient(Vertx vertx, String redisUrl, String defaultQueue, String namespace, int resultExpires) {
    this.vertx = vertx;
    this.keys = new CeleryKeys(new TaskKeys(namespace));
    this.resultExpires = resultExpires;
    RedisOptions options = new RedisOptions().setConnectionString(redisUrl);
    this.redis = Redis.createClient(vertx, new RedisOptions(options).setMaxPoolSize(4).setMaxWaitingHandlers(MAX_WAITERS));
    this.subscriber = Redis.createClient(vertx, new RedisOptions(options).setMaxPoolSize(1));
    this.defaultQueue = defaultQueue;
    this.pidbox = CeleryKeys.pidboxPattern(options).replace("*", "");
  }

  @Override
  public Future<TaskHandle> apply(String name, JsonArray args, JsonObject kwargs, TaskOptions options) {
    String id = options.taskId() != null ? options.taskId() : UUID.randomUUID().toString();
    long now = System.currentTimeMillis();
    long eta = options.etaMillis(now);
    long expires = options.expiresMillis(now);
    String queue = TaskOptions.DEFAULT_QUEUE.equals(options.queue()) ? defaultQueue : options.queue();
    // Switchboard runs 9 first, Celery on Redis 0 first; Switchboard's default priority is Celery's default 0
    int priority = options.priority() == TaskOptions.DEFAULT_PRIORITY ? 0 : TaskOptions.MAX_PRIORITY - options.priority();
    JsonArray body = new JsonArray().add(args == null ? new JsonArray() : args).add(kwargs == null ? new JsonObject() : kwargs)
        .add(new JsonObject().putNull("callbacks").putNull("errbacks").putNull("chain").putNull("chord"));
    JsonObject headers = new JsonObject().put("lang", "py").put("task", name).put("id", id).putNull("shadow")
        .put("eta", eta > now ? iso(eta) : null).put("expires", expires > 0 ? iso(expires) : null)
        .putNull("group").putNull("group_index").put("retries", 0)
        .put("timelimit", new JsonArray().add(seconds(options.timeLimit())).add(seconds(options.softTimeLimit())))
        .put("root_id", id).putNull("parent_id").put("argsrepr", String.valueOf(args)).put("kwargsrepr", String.valueOf(kwargs))
        .put("origin", "switchboard").put("ignore_result", false);
    JsonObject properties = new JsonObject().put("correlation_id", id).put("reply_to", UUID.randomUUID().toString())
        .put("delivery_mode", 2).put("delivery_info", new JsonObject().put("exchange", "").put("routing_key", queue))
        .put("priority", priority).put("body_encoding", "base64").put("delivery_tag", UUID.randomUUID().toString());
    JsonObject envelope = new JsonObject()
        .put("body", Base64.getEncoder().encodeToString(body.encode().getBytes(StandardCharsets.UTF_8)))
        .put("content-encoding", "utf-8").put("content-type", "application/json")
        .put("headers", headers).put("properties", properties);
    JsonObject sent = new JsonObject().put("name", name).put("queue", queue);
    return SEND.run(redis, List.of(listFor(queue, priority), keys.sent(id)), List.of(envelope.encode(), sent.encode(),
            resultExpires))
        .map(v -> new Handle(id));
  }

  /** kombu's list for a priority: the queue itself for 0, else {@code queue\x06\x16<step>} for steps 3, 6, 9. */
  private static String listFor(String queue, int priority) {
    int step = priority >= 9 ? 9 : priority >= 6 ? 6 : priority >= 3 ? 3 : 0;
    return step == 0 ? queue : queue + CeleryKeys.PRIORITY_SEPARATOR + step;
  }

  @Override
  public TaskHandle handle(String id) {
    return new Handle(id);
  }

  /** The task's state from its Celery meta; PENDING while there is none; NO_SUCH_TASK for an id nobody sent. */
  @Override
  public Future<TaskInfo> info(String id) {
    return redis.send(Request.cmd(Command.MGET).arg(CeleryKeys.meta(id)).arg(keys.sent(id))).map(both -> {
      Response meta = both.get(0);
      Response sent = both.get(1);
      if (meta == null && sent == null) {
        throw new TaskException(TaskException.Reason.NO_SUCH_TASK, "no Celery task with id " + id
            + " (not sent by Switchboard, or expired, and no result in the Celery backend)");
      }
      String name = sent == null ? null : new JsonObject(sent.toString()).getString("name");
      return toInfo(id, name, meta == null ? null : new JsonObject(meta.toString()));
    });
  }

  @Override
  public Future<TaskState> revoke(String id) {
    JsonObject command = new JsonObject().put("method", "revoke").put("arguments", new JsonObject().put("task_id", id)
        .put("terminate", false).put("signal", "SIGTERM")).putNull("destination").putNull("pattern").putNull("matcher");
    JsonObject envelope = new JsonObject()
        .put("body", Base64.getEncoder().encodeToString(command.encode().getBytes(StandardCharsets.UTF_8)))
        .put("content-encoding", "utf-8").put("content-type", "application/json")
        .put("headers", new JsonObject().put("clock", 1).put("expires", System.currentTimeMillis() / 1000.0 + 1))
        .put("properties", new JsonObject().put("delivery_mode", 2)
            .put("delivery_info", new JsonObject().put("exchange", "celery.pidbox").put("routing_key", ""))
            .put("priority", 0).put("body_encoding", "base64").put("delivery_tag", UUID.randomUUID().toString()));
    // Celery workers keep revokes in memory and write REVOKED when the task reaches them: the state now is returned
    return info(id).compose(known -> redis.send(Request.cmd(Command.PUBLISH).arg(pidbox).arg(envelope.encode())))
        .compose(v -> info(id)).map(TaskInfo::state);
  }

  @Override
  public Future<TaskHandle> retry(String id) {
    return Future.failedFuture(new TaskException(TaskException.Reason.INVALID_REQUEST, "retry of Celery task " + id + ": send it again with apply"));
  }

  @Override
  public Future<TaskInfo> awaitFinal(String id, Duration timeout) {
    Promise<JsonObject> done = Promise.promise();
    synchronized (waiters) {
      if (waiters.values().stream().mapToInt(List::size).sum() >= MAX_WAITERS) {
        return Future.failedFuture(new TaskException(TaskException.Reason.QUEUE_FULL,
            MAX_WAITERS + " Celery results are awaited already"));
      }
      waiters.computeIfAbsent(CeleryKeys.meta(id), k -> new java.util.ArrayList<>()).add(done);
    }
    long timer = vertx.setTimer(timeout.toMillis(), t -> done.tryFail(new TimeoutException(
        "Celery task " + id + " not finished within " + timeout.toMillis() + " ms")));
    // subscribed before reading, so a meta written in between is heard
    subscribed().compose(c -> c.send(Request.cmd(Command.SUBSCRIBE).arg(CeleryKeys.meta(id))))
        .compose(v -> redis.send(Request.cmd(Command.GET).arg(CeleryKeys.meta(id))))
        .onSuccess(meta -> {
          if (meta != null && isFinal(new JsonObject(meta.toString()))) {
            done.tryComplete(new JsonObject(meta.toString()));
          }
        })
        .onFailure(done::tryFail);
    // completed from the subscriber connection's context: handed back to the caller's
    return CallerContext.of(done.future().eventually(() -> {
      vertx.cancelTimer(timer);
      forget(id, done);
      return Future.succeededFuture();
    }).map(meta -> toInfo(id, null, meta)));
  }

  @Override
  public Future<TaskSignature> signature(String name) {
    return Future.failedFuture(new TaskException(TaskException.Reason.UNKNOWN_TASK,
        "signatures of Python Celery tasks are not known to Switchboard (" + name + ")"));
  }

  public void close() {
    redis.close();
    subscriber.close();
  }

  private synchronized Future<RedisConnection> subscribed() {
    if (subscription == null || subscription.failed()) {
      subscription = subscriber.connect().onSuccess(c -> c.handler(this::onPush));
    }
    return subscription;
  }

  private void onPush(Response push) {
    if (push.size() < 3 || !"message".equals(push.get(0).toString())) {
      return;
    }
    JsonObject meta;
    try {
      meta = new JsonObject(push.get(2).toString());
    } catch (DecodeException e) {
      return;
    }
    if (!isFinal(meta)) {
      return;
    }
    List<Promise<JsonObject>> ready;
    synchronized (waiters) {
      ready = waiters.remove(push.get(1).toString());
    }
    if (ready != null) {
      ready.forEach(p -> p.tryComplete(meta));
    }
  }

  private void forget(String id, Promise<JsonObject> done) {
    boolean last;
    synchronized (waiters) {
      List<Promise<JsonObject>> list = waiters.get(CeleryKeys.meta(id));
      if (list != null) {
        list.remove(done);
        if (list.isEmpty()) {
          waiters.remove(CeleryKeys.meta(id));
        }
      }
      last = !waiters.containsKey(CeleryKeys.meta(id));
    }
    if (last && subscription != null && subscription.succeeded()) {
      subscription.result().send(Request.cmd(Command.UNSUBSCRIBE).arg(CeleryKeys.meta(id)));
    }
  }

  private static boolean isFinal(JsonObject meta) {
    return switch (meta.getString("status", "")) {
      case "SUCCESS", "FAILURE", "REVOKED" -> true;
      default -> false;
    };
  }

  /**
   * Celery's meta as Switchboard's snapshot; states map one to one, a custom state is PROGRESS with that name as
   * {@code customState}; the meta of PROGRESS and custom states is the progress.
   */
  static TaskInfo toInfo(String id, String name, JsonObject meta) {
    Map<TaskState, Long> stamps = new EnumMap<>(TaskState.class);
    if (meta == null) {
      return new TaskInfo(id, name, TaskState.PENDING, null, null, null, null, null, null, 0, 0, null, 0, stamps);
    }
    String status = meta.getString("status", "PENDING");
    TaskState state;
    String customState = null;
    try {
      state = TaskState.valueOf(status);
    } catch (IllegalArgumentException e) {
      state = TaskState.PROGRESS;
      customState = status;
    }
    Object result = meta.getValue("result");
    TaskError error = null;
    JsonObject progress = null;
    if ((state == TaskState.FAILURE || state == TaskState.RETRY || state == TaskState.REVOKED) && result instanceof JsonObject exc) {
      String message = exc.getValue("exc_message") instanceof JsonArray parts
          ? parts.stream().map(String::valueOf).collect(Collectors.joining(", ")) : String.valueOf(exc.getValue("exc_message"));
      error = new TaskError(exc.getString("exc_module", "builtins") + "." + exc.getString("exc_type", "Exception"), message,
          meta.getString("traceback"));
      result = null;
    } else if (state == TaskState.PROGRESS) {
      progress = result instanceof JsonObject json ? json : null;
      result = null;
    } else if (state == TaskState.STARTED) {
      result = null; // Celery's {"pid", "hostname"} of the worker: neither progress nor a result
    }
    return new TaskInfo(id, name, state, null, null, result, error, progress, customState, 0, 0, null, 0, stamps);
  }

  private static String iso(long millis) {
    return Instant.ofEpochMilli(millis).toString().replace("Z", "+00:00");
  }

  private static Double seconds(Duration duration) {
    return duration == null ? null : duration.toMillis() / 1000.0;
  }

  /** A handle on one Celery task. */
  private final class Handle implements TaskHandle {

    private final String id;

    Handle(String id) {
      this.id = id;
    }

    @Override
    public String id() {
      return id;
    }

    @Override
    public boolean created() {
      return true;
    }

    @Override
    public Future<TaskInfo> info() {
      return CeleryTaskClient.this.info(id);
    }

    @Override
    public Future<Object> get(Duration timeout) {
      return awaitFinal(id, timeout).map(info -> {
        if (info.state() == TaskState.FAILURE) {
          throw new TaskException(TaskException.Reason.FAILED, "Celery task " + id + " failed: " + info.error().type()
              + ": " + info.error().message(), info);
        }
        if (info.state() == TaskState.REVOKED) {
          throw new TaskException(TaskException.Reason.REVOKED, "Celery task " + id + " was revoked", info);
        }
        return info.result();
      });
    }

    @Override
    public Future<TaskState> revoke() {
      return CeleryTaskClient.this.revoke(id);
    }
  }
}

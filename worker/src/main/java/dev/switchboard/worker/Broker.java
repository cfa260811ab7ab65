package dev.switchboard.worker;

import dev.switchboard.api.tasks.TaskDefinition;
import dev.switchboard.shared.config.TaskSettings;
import dev.switchboard.shared.tasks.LuaScript;
import dev.switchboard.shared.tasks.TaskKeys;
import dev.switchboard.api.tasks.TaskOptions;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The worker's side of the Redis broker: every state transition is one Lua script (claim, progress, settle,
 * hand back, promote, touch), so a transition is atomic with the stream acknowledgement it goes with. Uses
 * two Redis clients: one pipelined connection for scripts ({@code MultiplexedRedis}), and a one-connection client for the blocking wait, which would
 * otherwise hold a pooled connection hostage. Both reconnect by themselves.
 */
final class Broker {

  /** Where each script that ends a task finds {@code finish()}, the one writer of final states. */
  private static final String TRANSITIONS = "transitions.lua";
  /** The claim itself, for claim.lua and for settle.lua, which claims for the slots its settles free. */
  private static final String CLAIMING = "claiming.lua";
  // workflow progression moves a workflow on when one of its members ends; finish() calls it, so it comes first
  private static final LuaScript CLAIM = LuaScript.load(Broker.class, "claim.lua", LuaScript.NEW_TASK,
      LuaScript.WORKFLOW_STEPS, TRANSITIONS, CLAIMING);
  private static final LuaScript SETTLE = LuaScript.load(Broker.class, "settle.lua", LuaScript.NEW_TASK,
      LuaScript.WORKFLOW_STEPS, TRANSITIONS, CLAIMING);
  private static final LuaScript PROGRESS = LuaScript.load(Broker.class, "progress.lua");
  private static final LuaScript TOUCH = LuaScript.load(Broker.class, "touch.lua");
  private static final LuaScript PROMOTE = LuaScript.load(Broker.class, "promote.lua");
  private static final LuaScript HAND_BACK = LuaScript.load(Broker.class, "handback.lua");
  private static final LuaScript ANNOUNCE = LuaScript.load(Broker.class, "announce.lua");
  private static final LuaScript REAP = LuaScript.load(Broker.class, "reap.lua");
  /** How often a worker announces itself, and how long its announcement vouches for it and its queues. */
  static final long ANNOUNCE_MS = 10_000;
  static final long LIVE_MS = 60_000;
  private static final int PROMOTE_BATCH = 1000;
  /** How long a task no worker here knows waits before it is offered again (to any worker of its queue). */
  static final long UNKNOWN_TASK_DEFER_MS = 1_000;

  /**
   * What one claim brought: tasks to start, events to publish, the names of tasks left for a worker that knows
   * them, and where to wait when it came back short.
   */
  record Claim(List<ClaimedTask> tasks, List<JsonObject> events, List<String> deferred, JsonObject last) {
  }

  /** The outcome of one attempt to record: SUCCESS (payload: the result), FAILURE or RETRY (payload: the error). */
  record Settle(ClaimedTask task, String outcome, String payload, long retryAt) {
  }

  /**
   * What a settle recorded: the state ({@code null} when the attempt was stale: its lease was spent, nothing
   * changed), its seq, whether it changed the task, and whether the delayed set's bound turned a RETRY into FAILURE.
   */
  record Settled(String state, long seq, boolean changed, boolean bounded) {
  }

  /** One settle call's answer: a {@link Settled} per settle, in order, and the claim for the slots they freed. */
  record SettleReply(List<Settled> settled, Claim claim) {
  }

  private final Redis redis;
  private final Redis blocking;
  private final TaskKeys keys;
  private final TaskSettings settings;
  private final String consumer;
  private final List<String> streams;
  private final String rateLimits;
  private final String known;

  Broker(Redis redis, Redis blocking, TaskKeys keys, TaskSettings settings, String consumer, TaskRegistry registry) {
    this.redis = redis;
    this.blocking = blocking;
    this.keys = keys;
    this.settings = settings;
    this.consumer = consumer;
    this.rateLimits = registry.rateLimits().encode();
    JsonObject names = new JsonObject();
    registry.all().forEach(task -> names.put(task.name(), true));
    this.known = names.encode();
    List<String> ordered = new ArrayList<>();
    for (int priority = 9; priority >= 0; priority--) {
      for (String queue : settings.queues()) {
        ordered.add(keys.stream(queue, priority));
      }
    }
    this.streams = List.copyOf(ordered);
  }

  String consumer() {
    return consumer;
  }

  /** Creates the consumer group on every stream this worker reads (idempotent). */
  Future<Void> ensureGroups() {
    return Future.all(streams.stream().map(stream -> redis
        .send(Request.cmd(Command.XGROUP).arg("CREATE").arg(stream).arg(TaskKeys.GROUP).arg("0").arg("MKSTREAM"))
        .recover(err -> err.getMessage() != null && err.getMessage().startsWith("BUSYGROUP")
            ? Future.succeededFuture() : Future.failedFuture(err)))
        .toList()).mapEmpty();
  }

  /** Publishes each task's signature so that clients anywhere accept calls to it. */
  Future<Void> register(Collection<TaskDefinition> tasks) {
    if (tasks.isEmpty()) {
      return Future.succeededFuture();
    }
    Request hset = Request.cmd(Command.HSET).arg(keys.signatures());
    tasks.forEach(task -> hset.arg(task.name()).arg(task.signature().toJson().encode()));
    return redis.send(hset).mapEmpty();
  }

  /** Claims at most {@code count} tasks; with {@code reclaim}, first those of workers gone silent. */
  Future<Claim> claim(int count, boolean reclaim) {
    List<String> scriptKeys = new ArrayList<>(streams.size() + 4);
    claimKeys(scriptKeys, count);
    return CLAIM.run(redis, scriptKeys, claimArgs(count, reclaim))
        .map(reply -> claimOf(reply.get(0), reply.get(1), reply.get(2), reply.get(3)));
  }

  /**
   * Records several outcomes in one script call, each fenced by its task's lease, then claims at most {@code count}
   * tasks (0: none) for the slots they free (with {@code reclaim}, first those of workers gone silent).
   */
  Future<SettleReply> settle(List<Settle> settles, int count, boolean reclaim) {
    List<String> scriptKeys = new ArrayList<>(streams.size() + 4 + 2 * settles.size());
    claimKeys(scriptKeys, count);
    List<Object> args = new ArrayList<>(16 + 6 * settles.size());
    args.add(count > 0 ? streams.size() : 0);
    args.add(settings.maxQueueLength());
    args.addAll(claimArgs(count, reclaim));
    for (Settle settle : settles) {
      ClaimedTask task = settle.task();
      scriptKeys.add(keys.task(task.id()));
      scriptKeys.add(task.stream());
      args.add(task.id());
      args.add(task.entry());
      args.add(task.lease());
      args.add(settle.outcome());
      args.add(settle.payload());
      args.add(settle.retryAt());
    }
    return SETTLE.run(redis, scriptKeys, args).map(reply -> {
      List<Settled> settled = new ArrayList<>(settles.size());
      for (Response one : reply.get(0)) {
        String state = one.get(0).toString();
        settled.add(new Settled(state.isEmpty() ? null : state, one.get(1).toLong(), one.get(2).toInteger() == 1,
            one.get(3).toInteger() == 1));
      }
      return new SettleReply(settled, claimOf(reply.get(1), reply.get(2), reply.get(3), reply.get(4)));
    });
  }

  /** The claim's keys: the shared ones, then the streams in priority order (none when nothing is to be claimed). */
  private void claimKeys(List<String> scriptKeys, int count) {
    scriptKeys.add(keys.delayed());
    scriptKeys.add(keys.failed());
    scriptKeys.add(keys.stats());
    scriptKeys.add(keys.paused());
    if (count > 0) {
      scriptKeys.addAll(streams);
    }
  }

  private List<Object> claimArgs(int count, boolean reclaim) {
    return List.of(TaskKeys.GROUP, consumer, count, System.currentTimeMillis(), keys.taskPrefix(),
        reclaim ? settings.visibilityTimeoutMs() : 0, keys.ratePrefix(), rateLimits, settings.resultTtlMs(), known,
        UNKNOWN_TASK_DEFER_MS, TaskOptions.DEFAULT_MAX_DELIVERIES, TaskKeys.HISTORY_LENGTH, keys.streamPrefix());
  }

  private static Claim claimOf(Response claimed, Response ended, Response deferredNames, Response flat) {
    List<ClaimedTask> tasks = new ArrayList<>(claimed.size());
    List<JsonObject> events = new ArrayList<>(tasks.size());
    for (Response task : claimed) {
      ClaimedTask claimedTask = ClaimedTask.fromReply(task);
      tasks.add(claimedTask);
      events.add(new JsonObject().put("id", claimedTask.id()).put("name", claimedTask.name()).put("state", "STARTED")
          .put("seq", claimedTask.seq()));
    }
    String endedText = ended.toString();
    if (!endedText.isEmpty()) {
      new JsonArray(endedText).stream().map(JsonObject.class::cast).map(Broker::decodeError).forEach(events::add);
    }
    List<String> deferred = new ArrayList<>();
    deferredNames.forEach(name -> deferred.add(name.toString()));
    JsonObject last = new JsonObject();
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      last.put(flat.get(i).toString(), flat.get(i + 1).toString());
    }
    return new Claim(tasks, events, deferred, last);
  }

  /**
   * Waits (blocking XREAD on its own connection) until an entry newer than {@code last} appears in any stream,
   * or {@code blockMs} passes. Reads nothing for the group: the next claim takes what is there.
   */
  Future<Void> awaitWork(JsonObject last, long blockMs) {
    Request xread = Request.cmd(Command.XREAD).arg("COUNT").arg(1).arg("BLOCK").arg(blockMs).arg("STREAMS");
    streams.forEach(xread::arg);
    streams.forEach(stream -> xread.arg(last.getString(stream, "$")));
    return blocking.send(xread).mapEmpty();
  }

  /** Progress, or a state of the task's own ({@code customState}, null for plain progress) with its meta. */
  Future<JsonObject> progress(ClaimedTask task, String customState, JsonObject payload) {
    return PROGRESS.run(redis, List.of(keys.task(task.id())),
        List.of(task.lease(), System.currentTimeMillis(), payload.encode(), customState == null ? "" : customState))
        .map(reply -> new JsonObject(reply.toString()));
  }

  Future<JsonObject> handBack(ClaimedTask task) {
    return HAND_BACK.run(redis, List.of(keys.task(task.id()), task.stream()),
        List.of(TaskKeys.GROUP, task.entry(), task.lease(), System.currentTimeMillis(), task.id()))
        .map(reply -> new JsonObject(reply.toString()));
  }

  /** Heartbeat for the in-flight tasks, so that no other worker reclaims them while this one lives. */
  Future<Void> touch(Collection<ClaimedTask> inFlight) {
    if (inFlight.isEmpty()) {
      return Future.succeededFuture();
    }
    JsonArray items = new JsonArray();
    inFlight.forEach(task -> items.add(new JsonArray().add(keys.task(task.id())).add(task.stream())
        .add(task.entry()).add(task.lease())));
    return TOUCH.run(redis, List.of(), List.of(TaskKeys.GROUP, consumer, items.encode())).mapEmpty();
  }

  /** Says this worker is alive, with what it consumes and how busy it is (see announce.lua). */
  Future<Void> announce(int busy, long completed, long started, JsonArray active) {
    return ANNOUNCE.run(redis, List.of(keys.workers(), keys.consumed(), keys.worker(consumer)),
        List.of(consumer, System.currentTimeMillis(), 3 * ANNOUNCE_MS, LIVE_MS, new JsonArray(settings.queues()).encode(),
            settings.concurrency(), busy, completed, started, active.encode())).mapEmpty();
  }

  /** A clean stop: this worker leaves the workers set at once (its queues expire with the other workers'). */
  Future<Void> leave() {
    return redis.send(Request.cmd(Command.ZREM).arg(keys.workers()).arg(consumer))
        .compose(v -> redis.send(Request.cmd(Command.DEL).arg(keys.worker(consumer)))).mapEmpty();
  }

  /**
   * Removes the group consumers of workers that are gone (not announced) and hold nothing; the Future holds how
   * many. Removing a live one would be harmless too: its next read recreates it.
   */
  Future<Integer> reapConsumers() {
    List<String> scriptKeys = new ArrayList<>(streams.size() + 1);
    scriptKeys.add(keys.workers());
    scriptKeys.addAll(streams);
    // idle past the visibility timeout: a live worker's consumer reads far more often than that
    return REAP.run(redis, scriptKeys, List.of(TaskKeys.GROUP, settings.visibilityTimeoutMs())).map(reply -> reply.toInteger());
  }

  /** Moves due delayed tasks to their streams; the answer holds {@code moved} and the {@code next} due time. */
  Future<JsonObject> promote() {
    return PROMOTE.run(redis, List.of(keys.delayed()), List.of(System.currentTimeMillis(), PROMOTE_BATCH, keys.taskPrefix()))
        .map(reply -> new JsonObject(reply.toString()));
  }

  /** Scripts store an error as JSON text; events carry it as an object, as the worker's own settle events do. */
  private static JsonObject decodeError(JsonObject event) {
    return event.getValue("error") instanceof String text ? event.copy().put("error", new JsonObject(text)) : event;
  }
}

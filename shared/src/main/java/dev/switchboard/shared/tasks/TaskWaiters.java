package dev.switchboard.shared.tasks;

import dev.switchboard.api.tasks.TaskException;
import dev.switchboard.api.tasks.TaskInfo;
import dev.switchboard.api.tasks.TaskState;
import dev.switchboard.shared.context.CallerContext;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every {@code get()} of one {@link TaskClient}, waiting together. A task this client queued names the client's
 * notify channel, and the script that gives the task its final state publishes that state (with result or error)
 * there: one Redis subscription per client, not per waiter. Behind it runs ONE periodic batched re-read (a
 * pipeline of HMGETs, at most {@link #READ_BATCH} per round trip) for what pub/sub cannot promise: a task
 * queued by someone else (read as soon as it is awaited, then every {@code pollMs}), a notification lost while
 * the subscription was down (everything awaited is read again on reconnect), and as a last resort the tasks
 * this client queued, read after {@code 4 x pollMs}, then at doubling intervals up to a minute: a long task
 * costs a handful of reads, not one per tick.
 *
 * <p>Bounded: at most {@code maxWaiters} waiting calls (beyond: QUEUE_FULL), and at most {@link #MAX_EARLY}
 * notifications kept for a {@code get()} not yet called (the oldest dropped; such a call then learns from the
 * re-read). Thread-safe; each waiter's Future completes on the context that called {@code get()}.
 */
final class TaskWaiters {

  private static final Logger log = LoggerFactory.getLogger(TaskWaiters.class);
  static final int READ_BATCH = 1000;
  static final int MAX_EARLY = 16_384;
  private static final String[] FIELDS = {"id", "name", "state", "result", "error", "seq"};

  private static final long MAX_INTERVAL_MS = 60_000;

  private record Waiter(Promise<TaskInfo> promise, Context context, long timer) {
  }

  /** The calls waiting on one task id, and when the re-read looks at it next. */
  private static final class Watch {
    final List<Waiter> waiters = new ArrayList<>(1);
    final boolean notified;
    long interval;
    long nextRead;

    Watch(boolean notified, long pollMs, long now) {
      this.notified = notified;
      this.interval = notified ? 4 * pollMs : pollMs;
      this.nextRead = now + interval;
    }

    /** Due for the periodic re-read at {@code now}? Then schedules the next one. */
    boolean due(long now, long pollMs) {
      if (nextRead > now) {
        return false;
      }
      interval = notified ? Math.min(MAX_INTERVAL_MS, interval * 2) : pollMs;
      nextRead = now + interval;
      return true;
    }
  }

  private final Vertx vertx;
  private final Redis redis;
  private final TaskKeys keys;
  private final NotifyChannel channel;
  private final long pollMs;
  private final int maxWaiters;
  /** The client's context: the subscription and the re-read timer run here. */
  private final Context home;

  // guarded by this
  private final Map<String, Watch> waiting = new HashMap<>();
  private final Map<String, TaskInfo> early = new LinkedHashMap<>(256, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, TaskInfo> eldest) {
      return size() > MAX_EARLY;
    }
  };
  private final Set<String> unread = new LinkedHashSet<>();
  private int count;
  private boolean promptRead;

  // touched on the home context only
  private volatile long pollTimer = -1;
  private boolean reading;
  private volatile boolean closed;

  TaskWaiters(Vertx vertx, Context home, Redis redis, RedisOptions subscriberOptions, TaskKeys keys, String channel, long pollMs,
      int maxWaiters) {
    this.vertx = vertx;
    this.redis = redis;
    this.keys = keys;
    this.channel = new NotifyChannel(vertx, home, subscriberOptions, channel, this::notified, this::missedNotifications);
    this.pollMs = pollMs;
    this.maxWaiters = maxWaiters;
    this.home = home;
  }

  /** The channel the final states of this client's tasks are published to. */
  String channel() {
    return channel.name();
  }

  /**
   * Completes once the notify channel is subscribed, so that no final state of a task queued after is missed; on
   * the calling context (the subscription's own future completes on the client's home context).
   */
  Future<Void> subscribed() {
    return CallerContext.of(channel.subscribed());
  }

  /** Number of {@code get()} calls waiting now. */
  synchronized int size() {
    return count;
  }

  /**
   * The task's final state. {@code notified}: the task names this client's channel, so no read is needed now;
   * otherwise one batched read is scheduled at once.
   */
  Future<TaskInfo> await(String id, Duration timeout, boolean notified) {
    Context context = vertx.getOrCreateContext();
    Promise<TaskInfo> promise = Promise.promise();
    TaskInfo known;
    synchronized (this) {
      known = early.remove(id);
      if (known == null) {
        if (count >= maxWaiters) {
          return Future.failedFuture(new TaskException(TaskException.Reason.QUEUE_FULL, "task " + id
              + " not awaited: " + maxWaiters + " get() calls already wait on this client (tasks.maxWaiters)"));
        }
        long timer = vertx.setTimer(Math.max(1, timeout.toMillis()), t -> expire(id, promise, timeout));
        waiting.computeIfAbsent(id, k -> new Watch(notified, pollMs, System.currentTimeMillis()))
            .waiters.add(new Waiter(promise, context, timer));
        count++;
        if (!notified) {
          unread.add(id);
        }
      }
    }
    if (known != null) {
      return Future.succeededFuture(known);
    }
    if (!notified) {
      readSoon();
    }
    startPolling();
    return promise.future();
  }

  void close() {
    closed = true;
    home.runOnContext(v -> {
      if (pollTimer >= 0) {
        vertx.cancelTimer(pollTimer);
      }
    });
    channel.close();
  }

  /** A final state published on the notify channel. */
  private void notified(JsonObject body) {
    Map<String, String> hash = new HashMap<>();
    body.forEach(entry -> hash.put(entry.getKey(), String.valueOf(entry.getValue())));
    resolve(body.getString("id"), Future.succeededFuture(TaskInfo.fromHash(hash)), true);
  }

  /** The subscription dropped: whatever was published meanwhile is gone, so read everything awaited. */
  private void missedNotifications() {
    synchronized (this) {
      unread.addAll(waiting.keySet());
    }
    readSoon();
  }

  private void expire(String id, Promise<TaskInfo> promise, Duration timeout) {
    synchronized (this) {
      Watch watch = waiting.get(id);
      if (watch == null || !watch.waiters.removeIf(w -> w.promise == promise)) {
        return;
      }
      count--;
      if (watch.waiters.isEmpty()) {
        waiting.remove(id);
        unread.remove(id);
      }
    }
    promise.tryFail(new TimeoutException("task " + id + " not finished within " + timeout.toMillis() + " ms"));
  }

  /** A final state arrived; {@code published}: from the channel, so keep it if nobody waits yet. */
  private void resolve(String id, Future<TaskInfo> outcome, boolean published) {
    Watch watch;
    synchronized (this) {
      watch = waiting.remove(id);
      unread.remove(id);
      if (watch == null) {
        if (published && outcome.succeeded()) {
          early.put(id, outcome.result());
        }
        return;
      }
      count -= watch.waiters.size();
    }
    for (Waiter waiter : watch.waiters) {
      vertx.cancelTimer(waiter.timer);
      if (Vertx.currentContext() == waiter.context) {
        outcome.onComplete(waiter.promise::tryComplete, waiter.promise::tryFail);
      } else {
        waiter.context.runOnContext(v -> outcome.onComplete(waiter.promise::tryComplete, waiter.promise::tryFail));
      }
    }
  }

  // ---- the batched re-read ----

  private void startPolling() {
    if (pollTimer >= 0) {
      return; // already ticking: no hop to the home context per waiter
    }
    home.runOnContext(v -> {
      if (pollTimer < 0 && !closed) {
        pollTimer = vertx.setPeriodic(pollMs, t -> {
          long now = System.currentTimeMillis();
          synchronized (this) {
            waiting.forEach((id, watch) -> {
              if (watch.due(now, pollMs)) {
                unread.add(id);
              }
            });
          }
          read();
        });
      }
    });
  }

  private void readSoon() {
    synchronized (this) {
      if (promptRead) {
        return;
      }
      promptRead = true;
    }
    home.runOnContext(v -> {
      synchronized (this) {
        promptRead = false;
      }
      read();
    });
  }

  /** One pipeline over up to READ_BATCH unread ids; repeats while some remain; one round at a time. */
  private void read() {
    List<String> ids;
    synchronized (this) {
      if (reading || closed) {
        return;
      }
      if (waiting.isEmpty() && pollTimer >= 0) {
        vertx.cancelTimer(pollTimer);
        pollTimer = -1;
      }
      ids = new ArrayList<>(Math.min(unread.size(), READ_BATCH));
      var it = unread.iterator();
      while (it.hasNext() && ids.size() < READ_BATCH) {
        ids.add(it.next());
        it.remove();
      }
      if (ids.isEmpty()) {
        return;
      }
      reading = true;
    }
    List<Request> requests = new ArrayList<>(ids.size());
    for (String id : ids) {
      Request hmget = Request.cmd(Command.HMGET).arg(keys.task(id));
      for (String field : FIELDS) {
        hmget.arg(field);
      }
      requests.add(hmget);
    }
    redis.batch(requests).onComplete(replies -> {
      synchronized (this) {
        reading = false;
      }
      if (replies.failed()) {
        log.debug("re-read of {} awaited task(s) failed: {}", ids.size(), replies.cause().getMessage());
        return; // the next tick tries again
      }
      for (int i = 0; i < ids.size(); i++) {
        settle(ids.get(i), replies.result().get(i));
      }
      boolean more;
      synchronized (this) {
        more = !unread.isEmpty();
      }
      if (more) {
        read();
      }
    });
  }

  private void settle(String id, Response row) {
    if (row == null || row.get(2) == null) {
      resolve(id, Future.failedFuture(new TaskException(TaskException.Reason.NO_SUCH_TASK,
          "no task with id " + id + " (unknown or expired)")), false);
      return;
    }
    if (!TaskState.valueOf(row.get(2).toString()).isFinal()) {
      return;
    }
    Map<String, String> hash = new HashMap<>();
    for (int f = 0; f < FIELDS.length; f++) {
      Response value = row.get(f);
      if (value != null) {
        hash.put(FIELDS[f], value.toString());
      }
    }
    resolve(id, Future.succeededFuture(TaskInfo.fromHash(hash)), false);
  }
}

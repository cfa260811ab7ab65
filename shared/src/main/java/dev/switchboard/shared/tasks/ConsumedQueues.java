package dev.switchboard.shared.tasks;

import dev.switchboard.api.tasks.TaskException;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which queues a client may send to: those its configuration names ({@code tasks.queues},
 * {@code tasks.acceptedQueues}) and those a live worker
 * consumes (the {@code consumed} sorted set the workers refresh with every heartbeat). Anything else would wait in
 * Redis for a worker that never comes, so it is refused before anything is queued. Answers are cached briefly.
 */
final class ConsumedQueues {

  /** A worker that has not announced itself for this long no longer vouches for its queues. */
  static final long LIVE_MS = 60_000;
  private static final long CACHE_MS = 2_000;
  private static final int MAX_CACHED = 1024;

  private record Seen(boolean consumed, long at) {
  }

  private final Redis redis;
  private final TaskKeys keys;
  private final List<String> configured;
  private final Map<String, Seen> cache = new ConcurrentHashMap<>();

  ConsumedQueues(Redis redis, TaskKeys keys, List<String> configured) {
    this.redis = redis;
    this.keys = keys;
    this.configured = List.copyOf(configured);
  }

  /** Succeeds when {@code queue} may take tasks, else fails with INVALID_REQUEST naming it. */
  Future<Void> check(String queue) {
    if (configured.contains(queue)) {
      return Future.succeededFuture();
    }
    long now = System.currentTimeMillis();
    Seen seen = cache.get(queue);
    if (seen != null && now - seen.at < CACHE_MS) {
      return verdict(queue, seen.consumed);
    }
    return redis.send(Request.cmd(Command.ZSCORE).arg(keys.consumed()).arg(queue)).compose(score -> {
      boolean consumed = score != null && score.toLong() > now - LIVE_MS;
      if (cache.size() >= MAX_CACHED) {
        cache.clear();
      }
      cache.put(queue, new Seen(consumed, now));
      return verdict(queue, consumed);
    });
  }

  private Future<Void> verdict(String queue, boolean consumed) {
    return consumed ? Future.succeededFuture() : Future.failedFuture(new TaskException(TaskException.Reason.INVALID_REQUEST,
        "queue " + queue + ": no worker consumes it and the configuration does not name it (accepted: "
        + configured + ")"));
  }
}

package dev.switchboard.worker;

import dev.switchboard.shared.config.TaskSettings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The real Redis the tests use (SWITCHBOARD_TEST_REDIS_URL, default 127.0.0.1:6379), each test in its own key
 * namespace so that parallel runs never meet, and removed afterwards.
 */
final class TaskTesting {

  static final String REDIS_URL = System.getenv().getOrDefault("SWITCHBOARD_TEST_REDIS_URL", "redis://127.0.0.1:6379");

  private TaskTesting() {
  }

  static String namespace() {
    return "test-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** Fast settings for tests: short visibility timeout, quick scheduler; {@code overrides} win. */
  static TaskSettings settings(String namespace, JsonObject overrides) {
    JsonObject tasks = new JsonObject()
        .put("namespace", namespace)
        .put("visibilityTimeoutMs", 3000)
        .put("schedulerIntervalMs", 20)
        .put("pollIntervalMs", 100)
        .put("shutdownGraceMs", 2000)
        .mergeIn(overrides);
    return TaskSettings.fromJson(new JsonObject().put("tasks", tasks));
  }

  /** Deletes every key of the namespace (SCAN, never KEYS). */
  static Future<Void> deleteNamespace(Vertx vertx, String namespace) {
    Redis redis = Redis.createClient(vertx, REDIS_URL);
    return scanAndDelete(redis, "switchboard:" + namespace + ":*", "0").eventually(() -> {
      redis.close();
      return Future.succeededFuture();
    });
  }

  private static Future<Void> scanAndDelete(Redis redis, String pattern, String cursor) {
    return redis.send(Request.cmd(Command.SCAN).arg(cursor).arg("MATCH").arg(pattern).arg("COUNT").arg(1000))
        .compose(reply -> {
          Response keys = reply.get(1);
          Future<?> deleted = Future.succeededFuture();
          if (keys.size() > 0) {
            Request del = Request.cmd(Command.DEL);
            keys.forEach(key -> del.arg(key.toString()));
            deleted = redis.send(del);
          }
          String next = reply.get(0).toString();
          return deleted.compose(v -> "0".equals(next) ? Future.succeededFuture() : scanAndDelete(redis, pattern, next));
        });
  }

  /** Re-evaluates {@code check} every 50 ms until it yields true, failing after {@code timeoutMs}. */
  static Future<Void> eventually(Vertx vertx, long timeoutMs, Supplier<Future<Boolean>> check) {
    long deadline = System.currentTimeMillis() + timeoutMs;
    return check.get().recover(err -> Future.succeededFuture(false)).compose(done -> {
      if (done) {
        return Future.succeededFuture();
      }
      if (System.currentTimeMillis() > deadline) {
        return Future.failedFuture(new AssertionError("condition not met within " + timeoutMs + " ms"));
      }
      return vertx.timer(50).compose(v -> eventually(vertx, deadline - System.currentTimeMillis(), check));
    });
  }
}

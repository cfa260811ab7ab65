package dev.switchboard.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchboard.shared.config.TaskSettings;
import dev.switchboard.shared.tasks.RedisTaskClient;
import dev.switchboard.api.tasks.TaskHandle;
import dev.switchboard.api.tasks.TaskOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
@DisplayName("Redis restarts under a running worker and client: both reconnect by themselves, no task is lost")
class RedisRestartTest {

  private final TestTasks tasks = new TestTasks();
  private RedisProcess redis;
  private TaskSettings settings;
  private RedisTaskClient client;

  @BeforeEach
  void start(Vertx vertx, VertxTestContext testContext, @TempDir Path dir) throws Exception {
    redis = new RedisProcess(dir);
    redis.start();
    settings = TaskTesting.settings(TaskTesting.namespace(), new JsonObject());
    client = RedisTaskClient.create(vertx, redis.url(), settings);
    vertx.deployVerticle(new TaskWorker(tasks.registry(), settings, redis.url()))
        .onComplete(testContext.succeedingThenComplete());
  }

  @AfterEach
  void stop(Vertx vertx) throws Exception {
    client.close();
    redis.close();
  }

  /** Stops Redis (SIGTERM: it flushes its append-only file) and starts it again on the same port. */
  private Future<Void> restart(Vertx vertx, boolean keepData) {
    Path dir = redis.dir();
    return vertx.executeBlocking(() -> {
      redis.stop();
      if (!keepData) {
        try (Stream<Path> files = Files.walk(dir)) {
          files.sorted(Comparator.reverseOrder()).filter(path -> !path.equals(dir)).forEach(path -> path.toFile().delete());
        }
      }
      redis.start();
      return null;
    });
  }

  private Future<Object> run(String tag) {
    return client.delay("count", tag).compose(handle -> handle.get(Duration.ofSeconds(20)));
  }

  @Test
  @Timeout(60_000)
  @DisplayName("A task waiting in Redis across a restart runs exactly once after it; new calls work at once")
  void restartKeepsTasks(Vertx vertx, VertxTestContext testContext) {
    run("before")
        .compose(v -> client.apply("count", new JsonArray().add("across"), null,
            TaskOptions.defaults().withCountdown(Duration.ofMillis(1500))))
        .compose(across -> restart(vertx, true)
            .compose(v -> run("after"))
            .compose(v -> across.get(Duration.ofSeconds(20)).map(result -> across)))
        .onComplete(testContext.succeeding(across -> testContext.verify(() -> {
          assertEquals(1, tasks.runs(across.id()));
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(60_000)
  @DisplayName("Redis restarted empty: the worker recreates its consumer groups and re-publishes its tasks' signatures")
  void restartEmpty(Vertx vertx, VertxTestContext testContext) {
    Redis direct = Redis.createClient(vertx, redis.url());
    run("before")
        .compose(v -> restart(vertx, false))
        .compose(v -> run("after"))
        .compose(v -> TaskTesting.eventually(vertx, 10_000, () -> direct
            .send(Request.cmd(Command.HEXISTS).arg(client.keys().signatures()).arg("count"))
            .map(reply -> reply.toInteger() == 1)))
        .eventually(direct::close)
        .onComplete(testContext.succeedingThenComplete());
  }
}

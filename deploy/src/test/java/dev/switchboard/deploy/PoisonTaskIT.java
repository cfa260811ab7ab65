package dev.switchboard.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.api.tasks.TaskInfo;
import dev.switchboard.api.tasks.TaskOptions;
import dev.switchboard.api.tasks.TaskState;
import dev.switchboard.shared.config.TaskSettings;
import dev.switchboard.shared.tasks.RedisTaskClient;
import dev.switchboard.api.tasks.TaskHandle;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("A poison task that kills its worker JVM ends FAILURE WorkerLost after max_deliveries, and other tasks flow")
class PoisonTaskIT {

  private static final String REDIS_URL = System.getenv().getOrDefault("SWITCHBOARD_TEST_REDIS_URL", "redis://127.0.0.1:6379");
  private static final int VISIBILITY_MS = 1000;

  private final List<SwitchboardProcess> workers = new ArrayList<>();
  private String namespace;
  private RedisTaskClient client;

  @BeforeEach
  void setUp(Vertx vertx) {
    assertTrue(Files.isRegularFile(Path.of("target", "switchboard.jar")), "build the jar first (mvn package)");
    namespace = "test-" + UUID.randomUUID().toString().substring(0, 8);
    client = RedisTaskClient.create(vertx, REDIS_URL, TaskSettings.fromJson(new JsonObject()
        .put("tasks", new JsonObject().put("namespace", namespace))));
  }

  @AfterEach
  void tearDown(Vertx vertx, VertxTestContext testContext) throws Exception {
    for (SwitchboardProcess worker : workers) {
      worker.close();
    }
    client.close();
    Redis redis = Redis.createClient(vertx, REDIS_URL);
    redis.send(Request.cmd(Command.EVAL)
            .arg("for _, k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', k) end return 1")
            .arg(0).arg("switchboard:" + namespace + ":*"))
        .eventually(redis::close)
        .onComplete(testContext.succeedingThenComplete());
  }

  private Future<SwitchboardProcess> worker(Vertx vertx) {
    return vertx.executeBlocking(() -> {
      // a dummy database URL: this worker needs none, and the helper would otherwise start an embedded one
      SwitchboardProcess process = SwitchboardProcess.startMain("poison-" + workers.size(), Map.of("SWITCHBOARD_PG_URL", "unused"),
          PoisonWorkerMain.class.getName(), REDIS_URL, namespace, String.valueOf(VISIBILITY_MS));
      workers.add(process);
      process.awaitReady();
      return process;
    });
  }

  /** Starts workers one after another while the task is unfinished; each one the task kills is counted. */
  private Future<Integer> workersUntilSettled(Vertx vertx, TaskHandle poison, int halted) {
    return worker(vertx).compose(process -> Eventually.eventually(vertx, 30_000, () -> vertx.executeBlocking(() ->
                !process.isAlive()).compose(dead -> dead ? Future.succeededFuture(true) : poison.state().map(TaskState::isFinal)))
            .compose(v -> vertx.executeBlocking(process::isAlive)))
        .compose(alive -> {
          if (alive) {
            return Future.succeededFuture(halted);
          }
          assertNotDeliveredForever(halted + 1);
          return workersUntilSettled(vertx, poison, halted + 1);
        });
  }

  private static void assertNotDeliveredForever(int killed) {
    if (killed > TaskOptions.DEFAULT_MAX_DELIVERIES) {
      throw new AssertionError("the poison task killed " + killed + " workers: it is delivered forever");
    }
  }

  @Test
  @Timeout(180_000)
  @DisplayName("halt() kills 3 worker JVMs (the default max_deliveries), then the 4th ends it FAILURE WorkerLost and runs add")
  void poisonEndsWorkerLost(Vertx vertx, VertxTestContext testContext) {
    // the first worker publishes the signatures the client checks; the task it then claims kills it
    worker(vertx)
        .compose(first -> client.delay("halt").compose(poison -> Eventually.eventually(vertx, 30_000,
                () -> vertx.executeBlocking(() -> !first.isAlive()))
            .compose(v -> client.delay("add", 2, 3))
            .compose(add -> workersUntilSettled(vertx, poison, 1)
                .compose(halted -> Future.all(poison.info(), add.get(Duration.ofSeconds(20)))
                    .map(all -> {
                      TaskInfo info = all.resultAt(0);
                      testContext.verify(() -> {
                        assertEquals(3, halted, "worker JVMs the poison task killed");
                        assertEquals(TaskState.FAILURE, info.state(), info.toJson().encode());
                        assertEquals("WorkerLost", info.error().type());
                        assertEquals(3, info.deliveries());
                        assertEquals(5L, ((Number) all.resultAt(1)).longValue(), "add(2, 3) ran on the surviving worker");
                        workers.forEach(worker -> {
                          if (!worker.isAlive()) {
                            assertEquals(PoisonWorkerMain.HALTED, worker.exitCode(), worker.output());
                          }
                        });
                      });
                      return info;
                    })))))
        .onComplete(testContext.succeedingThenComplete());
  }
}

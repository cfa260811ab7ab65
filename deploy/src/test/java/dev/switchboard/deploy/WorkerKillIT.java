package dev.switchboard.deploy;

import static dev.switchboard.deploy.Eventually.eventually;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.shared.config.TaskSettings;
import dev.switchboard.shared.tasks.RedisTaskClient;
import dev.switchboard.api.tasks.TaskHandle;
import dev.switchboard.api.tasks.TaskInfo;
import dev.switchboard.api.tasks.TaskState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.io.File;
import java.io.IOException;
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
@DisplayName("A worker JVM killed with -9 mid-task loses nothing: its tasks complete on another worker")
class WorkerKillIT {

  private static final String REDIS_URL = System.getenv().getOrDefault("SWITCHBOARD_TEST_REDIS_URL", "redis://127.0.0.1:6379");
  private static final Path JAR = Path.of("target", "switchboard.jar");
  private static final int TASKS = 4;

  private final List<Process> workers = new ArrayList<>();
  private String namespace;
  private RedisTaskClient client;

  @BeforeEach
  void setUp(Vertx vertx) {
    namespace = "test-" + UUID.randomUUID().toString().substring(0, 8);
    client = RedisTaskClient.create(vertx, REDIS_URL, TaskSettings.fromJson(new JsonObject()
        .put("tasks", new JsonObject().put("namespace", namespace).put("pollIntervalMs", 100))));
  }

  @AfterEach
  void tearDown(Vertx vertx, VertxTestContext testContext) {
    workers.forEach(Process::destroyForcibly);
    Redis redis = Redis.createClient(vertx, REDIS_URL);
    redis.send(Request.cmd(Command.EVAL)
            .arg("for _, k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', k) end return 1")
            .arg(0).arg("switchboard:" + namespace + ":*"))
        .eventually(() -> {
          redis.close();
          return Future.succeededFuture();
        })
        .onComplete(testContext.succeedingThenComplete());
  }

  private Process startWorker(String name) throws IOException {
    File log = Files.createTempFile("switchboard-" + name + "-", ".log").toFile();
    ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:TieredStopAtLevel=1", "-jar", JAR.toString(), "worker")
        .redirectErrorStream(true).redirectOutput(log);
    Map<String, String> env = builder.environment();
    env.put("SWITCHBOARD_REDIS_URL", REDIS_URL);
    env.put("SWITCHBOARD_TASKS_NAMESPACE", namespace);
    env.put("SWITCHBOARD_TASKS_VISIBILITY_TIMEOUT_MS", "2000");
    env.put("SWITCHBOARD_HTTP_PORT", "0");
    env.put("SWITCHBOARD_WORKER_CONCURRENCY", "8");
    Process process = builder.start();
    workers.add(process);
    return process;
  }

  @Test
  @Timeout(90_000)
  @DisplayName("kill -9 of the worker running 4 long_running tasks: another worker finishes all 4, each run twice")
  void killedWorkersTasksComplete(Vertx vertx, VertxTestContext testContext) throws IOException {
    assertTrue(Files.isRegularFile(JAR), "build the jar first: " + JAR.toAbsolutePath());
    Process first = startWorker("first");
    List<TaskHandle> handles = new ArrayList<>();
    eventually(vertx, 30_000, () -> client.signature("long_running").map(signature -> true))
        .compose(v -> {
          List<Future<TaskHandle>> sent = new ArrayList<>();
          for (int i = 0; i < TASKS; i++) {
            sent.add(client.delay("long_running", 3).onSuccess(handles::add));
          }
          return Future.all(sent);
        })
        // every task is running on the first worker
        .compose(v -> eventually(vertx, 20_000, () -> Future.all(handles.stream().map(TaskHandle::state).toList())
            .map(states -> states.<TaskState>list().stream().allMatch(s -> s == TaskState.STARTED || s == TaskState.PROGRESS))))
        .compose(v -> Future.all(handles.stream().map(TaskHandle::info).toList()))
        .compose(running -> {
          String firstWorker = running.<TaskInfo>list().get(0).worker();
          first.destroyForcibly();
          return Future.fromCompletionStage(first.onExit()).compose(exited -> {
            try {
              startWorker("second");
            } catch (IOException e) {
              return Future.failedFuture(e);
            }
            return Future.all(handles.stream().map(handle -> handle.get(Duration.ofSeconds(40))).toList());
          }).compose(results -> Future.all(handles.stream().map(TaskHandle::info).toList())).map(done -> {
            testContext.verify(() -> {
              for (TaskInfo info : done.<TaskInfo>list()) {
                assertEquals(TaskState.SUCCESS, info.state());
                assertEquals("Task finished!", info.result());
                assertEquals(2, info.deliveries(), "each task ran once on each worker");
                assertNotEquals(firstWorker, info.worker());
              }
            });
            return done;
          });
        })
        .onComplete(testContext.succeedingThenComplete());
  }
}

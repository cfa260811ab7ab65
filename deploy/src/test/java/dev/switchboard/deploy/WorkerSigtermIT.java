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
@DisplayName("A worker JVM stopped with SIGTERM mid-task exits 0 and loses nothing: it finishes or hands back its tasks")
class WorkerSigtermIT {

  private static final String REDIS_URL = System.getenv().getOrDefault("SWITCHBOARD_TEST_REDIS_URL", "redis://127.0.0.1:6379");
  private static final int TASKS = 4;

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

  /** A worker JVM from the jar; the visibility timeout is far beyond the test, so no task is saved by a reclaim. */
  private Future<SwitchboardProcess> worker(Vertx vertx, String name, int graceMs) {
    return vertx.executeBlocking(() -> {
      SwitchboardProcess process = SwitchboardProcess.start(name, Map.of(
          "SWITCHBOARD_REDIS_URL", REDIS_URL,
          "SWITCHBOARD_TASKS_NAMESPACE", namespace,
          "SWITCHBOARD_TASKS_VISIBILITY_TIMEOUT_MS", "600000",
          "SWITCHBOARD_WORKER_CONCURRENCY", "8",
          "SWITCHBOARD_WORKER_SHUTDOWN_GRACE_MS", String.valueOf(graceMs)), "worker");
      workers.add(process);
      process.awaitReady();
      return process;
    });
  }

  /** Sends TASKS long_running(seconds) and completes once every one of them runs on a worker. */
  private Future<List<TaskHandle>> startTasks(Vertx vertx, int seconds) {
    List<Future<TaskHandle>> sent = new ArrayList<>();
    for (int i = 0; i < TASKS; i++) {
      sent.add(client.delay("long_running", seconds));
    }
    return Future.all(sent).map(all -> all.<TaskHandle>list()).compose(handles -> eventually(vertx, 20_000,
        () -> Future.all(handles.stream().map(TaskHandle::state).toList()).map(states -> states.<TaskState>list().stream()
            .allMatch(state -> state == TaskState.STARTED || state == TaskState.PROGRESS))).map(handles));
  }

  private static Future<List<TaskInfo>> infos(List<TaskHandle> handles) {
    return Future.all(handles.stream().map(TaskHandle::info).toList()).map(all -> all.<TaskInfo>list());
  }

  @Test
  @Timeout(120_000)
  @DisplayName("Grace shorter than the tasks: SIGTERM hands the 4 running tasks back at once, exit 0, a second worker runs each once more")
  void handsBack(Vertx vertx, VertxTestContext testContext) {
    List<TaskHandle> handles = new ArrayList<>();
    String[] firstWorker = new String[1];
    worker(vertx, "sigterm-first", 300)
        .compose(first -> startTasks(vertx, 3).compose(started -> {
          handles.addAll(started);
          return infos(handles);
        }).compose(running -> {
          firstWorker[0] = running.get(0).worker();
          return vertx.executeBlocking(first::terminate);
        }).map(exitCode -> {
          testContext.verify(() -> assertEquals(0, exitCode, "exit code after SIGTERM:\n" + first.output()));
          return exitCode;
        }))
        .compose(exited -> infos(handles))
        .compose(handedBack -> {
          testContext.verify(() -> handedBack.forEach(info -> assertEquals(TaskState.PENDING, info.state(),
              "handed back, queued again: " + info.toJson())));
          return worker(vertx, "sigterm-second", 10_000);
        })
        .compose(second -> Future.all(handles.stream().map(handle -> handle.get(Duration.ofSeconds(30))).toList()))
        .compose(results -> infos(handles))
        .onComplete(testContext.succeeding(done -> testContext.verify(() -> {
          for (TaskInfo info : done) {
            assertEquals(TaskState.SUCCESS, info.state());
            assertEquals("Task finished!", info.result());
            assertEquals(2, info.deliveries(), "one interrupted run on the first worker, one whole run on the second");
            assertNotEquals(firstWorker[0], info.worker());
          }
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(120_000)
  @DisplayName("Grace longer than the tasks: SIGTERM lets the 4 running tasks finish on the same worker, then exit 0")
  void finishes(Vertx vertx, VertxTestContext testContext) {
    List<TaskHandle> handles = new ArrayList<>();
    String[] firstWorker = new String[1];
    worker(vertx, "sigterm-finish", 20_000)
        .compose(first -> startTasks(vertx, 2).compose(started -> {
          handles.addAll(started);
          return infos(handles);
        }).compose(running -> {
          firstWorker[0] = running.get(0).worker();
          return vertx.executeBlocking(first::terminate);
        }).map(exitCode -> {
          testContext.verify(() -> assertEquals(0, exitCode, "exit code after SIGTERM:\n" + first.output()));
          return exitCode;
        }))
        .compose(exited -> infos(handles))
        .onComplete(testContext.succeeding(done -> testContext.verify(() -> {
          for (TaskInfo info : done) {
            assertEquals(TaskState.SUCCESS, info.state(), "finished before the JVM exited: " + info.toJson());
            assertEquals(1, info.deliveries());
            assertEquals(firstWorker[0], info.worker());
          }
          testContext.completeNow();
        })));
  }
}

package dev.switchboard.deploy;

import static dev.switchboard.deploy.Eventually.eventually;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.shared.tasks.RedisTaskClient;
import dev.switchboard.api.tasks.TaskHandle;
import dev.switchboard.api.tasks.TaskInfo;
import dev.switchboard.api.tasks.TaskState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("A worker JVM killed with -9 mid-task loses nothing: its tasks complete on another worker")
class WorkerKillIT {

  private static final int TASKS = 4;

  private final TaskNamespace namespace = new TaskNamespace();
  private RedisTaskClient client;

  @BeforeEach
  void setUp(Vertx vertx) {
    client = namespace.client(vertx);
  }

  @AfterEach
  void tearDown(Vertx vertx, VertxTestContext testContext) {
    client.close();
    namespace.close(vertx).onComplete(testContext.succeedingThenComplete());
  }

  @Test
  @Timeout(90_000)
  @DisplayName("kill -9 of the worker running 4 long_running tasks: another worker finishes all 4, each run twice")
  void killedWorkersTasksComplete(Vertx vertx, VertxTestContext testContext) throws IOException {
    assertTrue(Files.isRegularFile(TaskNamespace.JAR), "build the jar first: " + TaskNamespace.JAR.toAbsolutePath());
    Process first = namespace.startWorker("first");
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
              namespace.startWorker("second");
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

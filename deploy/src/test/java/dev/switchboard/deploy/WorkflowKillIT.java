package dev.switchboard.deploy;

import static dev.switchboard.deploy.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.api.tasks.TaskInfo;
import dev.switchboard.api.tasks.TaskState;
import dev.switchboard.api.workflows.Signature;
import dev.switchboard.api.workflows.Workflow;
import dev.switchboard.api.workflows.WorkflowInfo;
import dev.switchboard.shared.tasks.RedisTaskClient;
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
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("A worker JVM killed with -9 mid-chord leaves nothing stuck: the chord completes once on another worker")
class WorkflowKillIT {

  private static final int MEMBERS = 10;

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

  /** Header member i: long_running(n) (a step that takes n seconds), then add(i, i), which ignores the "Task finished!". */
  private static Workflow member(int i) {
    return Workflow.chain(Signature.of("long_running", i < MEMBERS / 2 ? 1 : 4), Signature.of("add", i, i).asImmutable());
  }

  @Test
  @Timeout(120_000)
  @DisplayName("kill -9 while some header chains are done and others run: after the visibility timeout another worker "
      + "finishes them, the xsum body runs exactly once with every member's result")
  void chordSurvivesKill(Vertx vertx, VertxTestContext testContext) throws IOException {
    assertTrue(Files.isRegularFile(TaskNamespace.JAR), "build the jar first: " + TaskNamespace.JAR.toAbsolutePath());
    Process first = namespace.startWorker("first");
    List<Workflow> header = new ArrayList<>();
    long expected = 0;
    for (int i = 0; i < MEMBERS; i++) {
      header.add(member(i));
      expected += 2L * i;
    }
    long sum = expected;
    AtomicReference<String> id = new AtomicReference<>();
    eventually(vertx, 30_000, () -> client.signature("xsum").map(signature -> true))
        .compose(v -> client.workflows().submit(Workflow.chord(header, Signature.of("xsum"))))
        .onSuccess(id::set)
        // mid-chord: some members finished (an add is SUCCESS), some still run (a long_running is STARTED or PROGRESS)
        .compose(v -> eventually(vertx, 30_000, () -> client.workflows().info(id.get()).map(info ->
            info.tasks().stream().anyMatch(m -> m.task().equals("add") && m.state() == TaskState.SUCCESS)
                && info.tasks().stream().anyMatch(m -> m.task().equals("long_running")
                    && (m.state() == TaskState.STARTED || m.state() == TaskState.PROGRESS)))))
        .compose(v -> {
          first.destroyForcibly();
          return Future.fromCompletionStage(first.onExit());
        })
        .compose(exited -> client.workflows().info(id.get()))
        .compose(atKill -> {
          testContext.verify(() -> assertEquals(TaskState.STARTED, atKill.state(), "the chord was cut mid-way"));
          try {
            namespace.startWorker("second");
          } catch (IOException e) {
            return Future.failedFuture(e);
          }
          return client.workflows().awaitFinal(id.get(), Duration.ofSeconds(60));
        })
        .compose(done -> {
          testContext.verify(() -> {
            assertEquals(TaskState.SUCCESS, done.state(), String.valueOf(done.error()));
            assertEquals(sum, ((Number) done.result()).longValue());
            assertTrue(done.tasks().stream().allMatch(m -> m.state() == TaskState.SUCCESS), done.tasks().toString());
          });
          WorkflowInfo.Member body = done.tasks().get(done.tasks().size() - 1);
          return client.info(body.id());
        })
        .onComplete(testContext.succeeding(body -> testContext.verify(() -> {
          assertEquals("xsum", body.name());
          assertEquals(1, body.deliveries(), "the body ran once");
          assertEquals(sum, ((Number) body.result()).longValue());
          testContext.completeNow();
        })));
  }
}

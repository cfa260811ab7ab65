package dev.switchboard.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.api.tasks.TaskHandle;
import dev.switchboard.api.tasks.TaskInfo;
import dev.switchboard.api.tasks.TaskOptions;
import dev.switchboard.api.tasks.TaskState;
import dev.switchboard.shared.tasks.RedisTaskClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("Inside a task: retry with a countdown, its attempt number, a state of its own with meta, ignore_result")
class InsideATaskTest {

  private final TestTasks tasks = new TestTasks();
  private final List<String> deployments = new ArrayList<>();
  private String namespace;
  private RedisTaskClient client;

  @BeforeEach
  void setUp(Vertx vertx, VertxTestContext testContext) {
    namespace = TaskTesting.namespace();
    client = RedisTaskClient.create(vertx, TaskTesting.REDIS_URL, TaskTesting.settings(namespace, new JsonObject()));
    vertx.deployVerticle(new TaskWorker(tasks.registry(), TaskTesting.settings(namespace, new JsonObject()),
        TaskTesting.REDIS_URL)).onSuccess(deployments::add).onComplete(testContext.succeedingThenComplete());
  }

  @AfterEach
  void clean(Vertx vertx, VertxTestContext testContext) {
    Future.join(deployments.stream().map(vertx::undeploy).toList())
        .compose(v -> TaskTesting.deleteNamespace(vertx, namespace))
        .onComplete(testContext.succeedingThenComplete());
  }

  private Future<TaskInfo> finished(TaskHandle handle) {
    return handle.get(Duration.ofSeconds(10)).transform(done -> handle.info());
  }

  @Test
  @Timeout(15_000)
  @DisplayName("retry(300 ms) twice: the third attempt returns 3, each start at least 300 ms after the last, retry_on ignored")
  void retryWithCountdown(VertxTestContext testContext) {
    TaskOptions options = TaskOptions.defaults().withRetries(5, Duration.ofMinutes(1), Duration.ofMinutes(1), false)
        .withRetryOn(List.of("NoSuchThing"));
    client.apply("again", new JsonArray().add(2), null, options).compose(this::finished)
        .onComplete(testContext.succeeding(info -> testContext.verify(() -> {
          assertEquals(TaskState.SUCCESS, info.state(), info.toJson().encode());
          assertEquals(3, ((Number) info.result()).intValue(), "attempt number of the run that succeeded");
          assertEquals(2, info.retries());
          List<Long> starts = tasks.startedAt.get(info.id());
          assertEquals(3, starts.size());
          for (int i = 1; i < starts.size(); i++) {
            long gap = starts.get(i) - starts.get(i - 1);
            assertTrue(gap >= 300 && gap < 60_000, "retry " + i + " came after " + gap + " ms: the countdown, not the backoff");
          }
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(15_000)
  @DisplayName("retry beyond max_retries ends FAILURE MaxRetriesExceeded")
  void retryBeyondMax(VertxTestContext testContext) {
    client.apply("again", new JsonArray().add(10), null, TaskOptions.defaults()
            .withRetries(1, Duration.ofMillis(10), Duration.ofMillis(10), false))
        .compose(this::finished)
        .onComplete(testContext.succeeding(info -> testContext.verify(() -> {
          assertEquals(TaskState.FAILURE, info.state());
          assertEquals("MaxRetriesExceeded", info.error().type());
          assertTrue(info.error().message().contains("not yet"), info.error().message());
          assertEquals(2, tasks.runs(info.id()));
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(15_000)
  @DisplayName("updateState(DOWNLOADING, meta): the task shows PROGRESS with custom_state and meta until it finishes")
  void customState(Vertx vertx, VertxTestContext testContext) {
    client.delay("stage", "s1").compose(handle -> TaskTesting.eventually(vertx, 5000,
                () -> handle.info().map(info -> "DOWNLOADING".equals(info.customState())))
            .compose(v -> handle.info())
            .compose(during -> {
              testContext.verify(() -> {
                assertEquals(TaskState.PROGRESS, during.state());
                assertEquals(new JsonObject().put("file", "a.csv").put("done", 3), during.progress());
                assertEquals("DOWNLOADING", during.toJson().getString("custom_state"));
              });
              tasks.gates.get("s1").complete("fetched");
              return finished(handle);
            }))
        .onComplete(testContext.succeeding(info -> testContext.verify(() -> {
          assertEquals(TaskState.SUCCESS, info.state());
          assertEquals("fetched", info.result());
          assertNull(info.customState(), "a finished task shows no state of its own");
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(15_000)
  @DisplayName("ignore_result: the task ends SUCCESS, its value is not stored; without it, the value is")
  void ignoreResult(VertxTestContext testContext) {
    Future<TaskInfo> ignored = client.apply("count", new JsonArray().add("i"), null,
        TaskOptions.defaults().withIgnoreResult(true)).compose(this::finished);
    Future<TaskInfo> kept = client.apply("count", new JsonArray().add("k"), null, TaskOptions.defaults())
        .compose(this::finished);
    Future.all(ignored, kept).onComplete(testContext.succeeding(all -> testContext.verify(() -> {
      assertEquals(TaskState.SUCCESS, ignored.result().state());
      assertNull(ignored.result().result());
      assertEquals(1, ((Number) kept.result().result()).intValue());
      testContext.completeNow();
    })));
  }
}

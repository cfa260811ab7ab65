package dev.switchboard.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.api.tasks.TaskInfo;
import dev.switchboard.api.tasks.TaskOptions;
import dev.switchboard.api.tasks.TaskState;
import dev.switchboard.shared.metrics.MetricNames;
import dev.switchboard.shared.metrics.SwitchboardMetrics;
import dev.switchboard.shared.tasks.RedisTaskClient;
import io.micrometer.core.instrument.Counter;
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
@DisplayName("Fencing: one copy of a task at a time, and a task is only settled by a worker that can run it")
class TaskFencingTest {

  private final TestTasks tasks = new TestTasks();
  private final List<String> deployments = new ArrayList<>();
  private String namespace;
  private RedisTaskClient client;

  @BeforeEach
  void setUp(Vertx vertx) {
    namespace = TaskTesting.namespace();
    client = RedisTaskClient.create(vertx, TaskTesting.REDIS_URL, TaskTesting.settings(namespace, new JsonObject()));
  }

  @AfterEach
  void clean(Vertx vertx, VertxTestContext testContext) {
    Future.join(deployments.stream().map(id -> vertx.undeploy(id).recover(err -> Future.succeededFuture())).toList())
        .compose(v -> TaskTesting.deleteNamespace(vertx, namespace))
        .onComplete(testContext.succeedingThenComplete());
  }

  private Future<String> worker(Vertx vertx, TaskRegistry registry, JsonObject overrides) {
    return vertx.deployVerticle(new TaskWorker(registry, TaskTesting.settings(namespace, overrides), TaskTesting.REDIS_URL))
        .onSuccess(deployments::add);
  }

  @Test
  @Timeout(20_000)
  @DisplayName("Hard time limit on a body that ignores interrupts: the retry starts only after the first copy returned")
  void hardLimitHoldsTheSlotUntilTheBodyReturns(Vertx vertx, VertxTestContext testContext) {
    TaskOptions options = TaskOptions.defaults().withTimeLimits(null, Duration.ofMillis(200))
        .withRetries(1, Duration.ofMillis(10), Duration.ofMillis(10), false);
    worker(vertx, tasks.registry(), new JsonObject().put("concurrency", 4))
        .compose(v -> client.apply("stubborn", new JsonArray().add("s").add(900), null, options))
        .compose(handle -> handle.get(Duration.ofSeconds(10)).transform(done -> handle.info()))
        .onComplete(testContext.succeeding(info -> testContext.verify(() -> {
          assertEquals(TaskState.FAILURE, info.state(), "both attempts ran past the limit: " + info.toJson());
          assertEquals(TimeLimitExceeded.class.getName(), info.error().type());
          assertEquals(2, tasks.runs(info.id()), "first attempt and one retry");
          assertEquals(1, tasks.maxRunning.get(), "the retry ran while the first copy was still running");
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(20_000)
  @DisplayName("A worker that does not know a task leaves it for one that does: it runs once there, never FAILURE")
  void unknownTaskIsLeftForAWorkerThatKnowsIt(Vertx vertx, VertxTestContext testContext) {
    Vertx other = Vertx.vertx();
    List<String> started = new ArrayList<>();
    // a worker that knows "count" publishes its signature and leaves; one that only ships the built-ins stays
    worker(vertx, tasks.registry(), new JsonObject())
        .compose(id -> vertx.undeploy(id).onSuccess(v -> deployments.remove(id)))
        .compose(v -> other.deployVerticle(new TaskWorker(TaskRegistry.shipped(), TaskTesting.settings(namespace,
            new JsonObject()), TaskTesting.REDIS_URL)))
        .compose(v -> client.delay("count", "unknown-here"))
        .compose(handle -> {
          Counter deferred = SwitchboardMetrics.registry(other).counter(MetricNames.TASKS_DEFERRED, MetricNames.TASK, "count");
          // the event that proves the built-ins-only worker saw the task: it counted the task as left for another
          return TaskTesting.eventually(vertx, 5000, () -> Future.succeededFuture(deferred.count() >= 2))
              .compose(v -> handle.state())
              .compose(state -> {
                testContext.verify(() -> assertEquals(TaskState.PENDING, state, "still waiting for a worker that knows it"));
                return worker(vertx, tasks.registry(), new JsonObject());
              })
              .compose(v -> handle.get(Duration.ofSeconds(8)))
              .compose(v -> handle.info());
        })
        .eventually(other::close)
        .onComplete(testContext.succeeding(info -> testContext.verify(() -> {
          assertEquals(TaskState.SUCCESS, info.state());
          assertEquals(1, tasks.runs(info.id()));
          assertEquals(1, info.deliveries(), "deferrals are not deliveries");
          testContext.completeNow();
        })));
  }
}

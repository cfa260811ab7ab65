package dev.switchboard.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.switchboard.shared.tasks.RedisTaskClient;
import dev.switchboard.api.tasks.TaskHandle;
import dev.switchboard.api.tasks.TaskInfo;
import dev.switchboard.shared.tasks.TaskKeys;
import dev.switchboard.api.tasks.TaskOptions;
import dev.switchboard.api.tasks.TaskState;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("The worker runtime: bounded concurrency, no prefetch, reclaim after the visibility timeout, graceful hand-back")
class TaskWorkerTest {

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

  private Future<String> worker(Vertx vertx, JsonObject overrides) {
    return vertx.deployVerticle(new TaskWorker(tasks.registry(), TaskTesting.settings(namespace, overrides), TaskTesting.REDIS_URL))
        .onSuccess(deployments::add);
  }

  private Future<List<TaskHandle>> send(int count, String name, JsonArray args) {
    List<Future<TaskHandle>> sent = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      sent.add(client.apply(name, args, null, TaskOptions.defaults()));
    }
    return Future.all(sent).map(all -> all.list());
  }

  private static Future<List<Object>> results(List<TaskHandle> handles) {
    return Future.all(handles.stream().map(handle -> handle.get(Duration.ofSeconds(8))).toList()).map(all -> all.list());
  }

  @Test
  @Timeout(15_000)
  @DisplayName("concurrency 2: six blocking tasks never run more than two at a time, and all complete")
  void concurrencyBound(Vertx vertx, VertxTestContext testContext) {
    worker(vertx, new JsonObject().put("concurrency", 2).put("blockingPoolSize", 4))
        .compose(v -> send(6, "work", new JsonArray().add("w").add(150)))
        .compose(TaskWorkerTest::results)
        .onComplete(testContext.succeeding(results -> testContext.verify(() -> {
          assertEquals(6, results.size());
          assertEquals(2, tasks.maxRunning.get());
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(15_000)
  @DisplayName("No prefetch: a busy worker with one slot leaves the second task to a worker that joins later")
  void noPrefetch(Vertx vertx, VertxTestContext testContext) {
    worker(vertx, new JsonObject().put("concurrency", 1))
        .compose(v -> send(2, "wait", new JsonArray().add("p").add(1500)))
        .compose(handles -> vertx.timer(300)
            .compose(v -> worker(vertx, new JsonObject().put("concurrency", 1)))
            .compose(v -> results(handles))
            .compose(v -> Future.all(handles.stream().map(TaskHandle::info).toList())))
        .onComplete(testContext.succeeding(all -> testContext.verify(() -> {
          List<TaskInfo> infos = all.list();
          assertNotEquals(infos.get(0).worker(), infos.get(1).worker(), "both tasks ran on one worker");
          assertEquals(2, tasks.maxRunning.get(), "the tasks did not overlap");
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(15_000)
  @DisplayName("A task claimed by a worker that went silent is reclaimed after the visibility timeout and runs")
  void reclaimsSilentWorkersTasks(Vertx vertx, VertxTestContext testContext) {
    TaskKeys keys = new TaskKeys(namespace);
    String stream = keys.stream(TaskOptions.DEFAULT_QUEUE, TaskOptions.DEFAULT_PRIORITY);
    Redis redis = Redis.createClient(vertx, TaskTesting.REDIS_URL);
    // a worker with no free slot registers the signatures and the group, then a "dead" consumer takes the entry
    worker(vertx, new JsonObject().put("queues", new JsonArray().add("elsewhere")))
        .compose(v -> redis.send(Request.cmd(Command.XGROUP).arg("CREATE").arg(stream).arg(TaskKeys.GROUP).arg("0").arg("MKSTREAM")))
        .compose(v -> client.delay("count", "r"))
        .compose(handle -> redis.send(Request.cmd(Command.XREADGROUP).arg("GROUP").arg(TaskKeys.GROUP).arg("dead-worker")
                .arg("COUNT").arg(1).arg("STREAMS").arg(stream).arg(">"))
            .compose(v -> worker(vertx, new JsonObject().put("visibilityTimeoutMs", 1000)))
            .compose(v -> handle.get(Duration.ofSeconds(8)))
            .compose(result -> handle.info()))
        .eventually(() -> {
          redis.close();
          return Future.succeededFuture();
        })
        .onComplete(testContext.succeeding(info -> testContext.verify(() -> {
          assertEquals(TaskState.SUCCESS, info.state());
          assertEquals(1, tasks.runs(info.id()));
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(15_000)
  @DisplayName("Graceful stop: a finishing task completes within the grace period; an unfinished one is handed back at once")
  void gracefulStop(Vertx vertx, VertxTestContext testContext) {
    worker(vertx, new JsonObject().put("shutdownGraceMs", 300))
        .compose(first -> send(1, "wait", new JsonArray().add("quick").add(100))
            .compose(quick -> send(1, "long_running", new JsonArray().add(3)).map(slow -> List.of(quick.get(0), slow.get(0))))
            .compose(handles -> vertx.timer(200).compose(v -> vertx.undeploy(first)).map(v -> handles)))
        .compose(handles -> Future.all(handles.get(0).state(), handles.get(1).state()).compose(states -> {
          testContext.verify(() -> {
            assertEquals(TaskState.SUCCESS, states.resultAt(0));
            assertEquals(TaskState.PENDING, states.resultAt(1));
          });
          return worker(vertx, new JsonObject()).compose(v -> handles.get(1).get(Duration.ofSeconds(8)))
              .compose(v -> handles.get(1).info());
        }))
        .onComplete(testContext.succeeding(info -> testContext.verify(() -> {
          assertEquals("Task finished!", info.result());
          assertEquals(2, info.deliveries());
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(20_000)
  @DisplayName("Graceful stop: the interrupted attempt of a handed-back blocking task never settles it; the next worker runs it whole")
  void handBackWinsOverTheCancelledAttempt(Vertx vertx, VertxTestContext testContext) {
    worker(vertx, new JsonObject().put("shutdownGraceMs", 100))
        .compose(first -> send(1, "work", new JsonArray().add("sigterm").add(4000))
            .compose(handles -> TaskTesting.eventually(vertx, 5000,
                    () -> handles.get(0).state().map(state -> state == TaskState.STARTED))
                .compose(v -> vertx.undeploy(first))
                .map(handles.get(0))))
        // the first worker is gone: whatever its interrupted attempt did has reached Redis by now
        .compose(handle -> handle.state().compose(state -> {
          testContext.verify(() -> assertEquals(TaskState.PENDING, state, "handed back, queued again"));
          return worker(vertx, new JsonObject());
        }).compose(v -> handle.get(Duration.ofSeconds(10))).compose(result -> handle.info()))
        .onComplete(testContext.succeeding(info -> testContext.verify(() -> {
          assertEquals("done", info.result(), "the second worker's whole run, not the interrupted one");
          assertEquals(2, tasks.runs(info.id()));
          testContext.completeNow();
        })));
  }
}

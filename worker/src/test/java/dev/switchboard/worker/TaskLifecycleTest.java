package dev.switchboard.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.shared.config.TaskSettings;
import dev.switchboard.shared.protocol.Addresses;
import dev.switchboard.shared.tasks.RedisTaskClient;
import dev.switchboard.api.tasks.TaskException;
import dev.switchboard.api.tasks.TaskHandle;
import dev.switchboard.api.tasks.TaskOptions;
import dev.switchboard.api.tasks.TaskState;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("A task goes through its states, each one stamped, stored in Redis and published")
class TaskLifecycleTest {

  private final TestTasks tasks = new TestTasks();
  private String namespace;
  private RedisTaskClient client;
  private String worker;

  @BeforeEach
  void deploy(Vertx vertx, VertxTestContext testContext) {
    namespace = TaskTesting.namespace();
    TaskSettings settings = TaskTesting.settings(namespace, new JsonObject());
    client = RedisTaskClient.create(vertx, TaskTesting.REDIS_URL, settings);
    vertx.deployVerticle(new TaskWorker(tasks.registry(), settings, TaskTesting.REDIS_URL))
        .onSuccess(id -> worker = id)
        .onComplete(testContext.succeedingThenComplete());
  }

  @AfterEach
  void clean(Vertx vertx, VertxTestContext testContext) {
    vertx.undeploy(worker).compose(v -> TaskTesting.deleteNamespace(vertx, namespace))
        .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  @Timeout(10_000)
  @DisplayName("add(2, 3) goes PENDING → STARTED → SUCCESS with result 5 and a time for each state")
  void addSucceeds(VertxTestContext testContext) {
    client.delay("add", 2, 3)
        .compose(handle -> handle.get(Duration.ofSeconds(5)).compose(result -> handle.info().map(info -> {
          testContext.verify(() -> {
            assertEquals(5L, ((Number) result).longValue());
            assertEquals(TaskState.SUCCESS, info.state());
            assertTrue(info.ready());
            assertTrue(info.timestamps().keySet().containsAll(List.of(TaskState.PENDING, TaskState.STARTED, TaskState.SUCCESS)));
            assertTrue(info.timestamps().get(TaskState.PENDING) <= info.timestamps().get(TaskState.STARTED));
            assertTrue(info.timestamps().get(TaskState.STARTED) <= info.timestamps().get(TaskState.SUCCESS));
            assertEquals(1, info.deliveries());
          });
          return info;
        })))
        .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  @Timeout(10_000)
  @DisplayName("noop() succeeds with a null result; ready() turns true")
  void noopSucceeds(VertxTestContext testContext) {
    client.delay("noop")
        .compose(handle -> handle.get(Duration.ofSeconds(5)).compose(result -> handle.ready().map(ready -> {
          testContext.verify(() -> {
            assertEquals(null, result);
            assertTrue(ready);
          });
          return ready;
        })))
        .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  @Timeout(15_000)
  @DisplayName("long_running(2) publishes PENDING, STARTED, PROGRESS 1/2, PROGRESS 2/2, SUCCESS \"Task finished!\", ordered by seq")
  void longRunningReportsProgress(Vertx vertx, VertxTestContext testContext) {
    String id = "long-" + namespace;
    List<JsonObject> events = new CopyOnWriteArrayList<>();
    Checkpoint finished = testContext.checkpoint();
    vertx.eventBus().<JsonObject>consumer(Addresses.taskEvents(id), message -> {
      events.add(message.body());
      if (message.body().getString("state").equals("SUCCESS")) {
        testContext.verify(() -> {
          // PENDING comes from the client, the rest from the worker: the event bus orders each publisher's
          // events, not the two together, so watchers order by seq (the WebSocket consumer drops stale ones)
          assertEquals(List.of("PENDING", "STARTED", "PROGRESS", "PROGRESS", "SUCCESS"), events.stream()
              .sorted(java.util.Comparator.comparingLong(event -> event.getLong("seq")))
              .map(event -> event.getString("state")).toList());
          List<JsonObject> fromWorker = events.stream().filter(event -> !event.getString("state").equals("PENDING")).toList();
          assertEquals(new JsonObject().put("current", 1).put("total", 2), fromWorker.get(1).getJsonObject("progress"));
          assertEquals(new JsonObject().put("current", 2).put("total", 2), fromWorker.get(2).getJsonObject("progress"));
          assertEquals("Task finished!", fromWorker.get(3).getValue("result"));
          for (int i = 1; i < fromWorker.size(); i++) {
            assertTrue(fromWorker.get(i).getLong("seq") > fromWorker.get(i - 1).getLong("seq"));
          }
        });
        finished.flag();
      }
    }).completion()
        .compose(v -> client.apply("long_running", new JsonArray().add(2), null, TaskOptions.defaults().withTaskId(id)))
        .onFailure(testContext::failNow);
  }

  @Test
  @Timeout(10_000)
  @DisplayName("A failing task ends in FAILURE with the error's type, message and stack; get() fails with FAILED")
  void failureKeepsTheError(VertxTestContext testContext) {
    client.delay("fail")
        .compose(handle -> handle.get(Duration.ofSeconds(5)))
        .onComplete(testContext.failing(err -> testContext.verify(() -> {
          TaskException failed = (TaskException) err;
          assertEquals(TaskException.Reason.FAILED, failed.reason());
          assertEquals(TaskState.FAILURE, failed.info().state());
          assertEquals("java.lang.IllegalStateException", failed.info().error().type());
          assertEquals("boom", failed.info().error().message());
          assertTrue(failed.info().error().stack().contains("TestTasks"));
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(10_000)
  @DisplayName("A revoked delayed task never runs, even after its countdown passes")
  void revokedDelayedTaskNeverRuns(Vertx vertx, VertxTestContext testContext) {
    client.apply("count", new JsonArray().add("x"), null, TaskOptions.defaults().withCountdown(Duration.ofMillis(500)))
        .compose(handle -> handle.revoke().compose(state -> {
          testContext.verify(() -> assertEquals(TaskState.REVOKED, state));
          return vertx.timer(1500);
        }).compose(v -> handle.info()).map(info -> {
          testContext.verify(() -> {
            assertEquals(TaskState.REVOKED, info.state());
            assertEquals(0, tasks.runs(handle.id()));
            assertNotNull(info.timestamps().get(TaskState.REVOKED));
          });
          return info;
        }))
        .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  @Timeout(10_000)
  @DisplayName("get() of a revoked task fails with REVOKED; revoking a finished task leaves it SUCCESS")
  void revokeStates(VertxTestContext testContext) {
    client.apply("count", new JsonArray().add("y"), null, TaskOptions.defaults().withCountdown(Duration.ofSeconds(30)))
        .compose(handle -> handle.revoke().compose(v -> handle.get(Duration.ofSeconds(2))))
        .onComplete(testContext.failing(err -> testContext.verify(() -> {
          assertEquals(TaskException.Reason.REVOKED, ((TaskException) err).reason());
          client.delay("noop").compose(handle -> handle.get(Duration.ofSeconds(5)).compose(v -> handle.revoke()))
              .onComplete(testContext.succeeding(state -> testContext.verify(() -> {
                assertEquals(TaskState.SUCCESS, state);
                testContext.completeNow();
              })));
        })));
  }

  @Test
  @Timeout(10_000)
  @DisplayName("Unknown task names, wrong arguments and unknown ids fail with their reason, and nothing is queued")
  void badCalls(VertxTestContext testContext) {
    Checkpoint checks = testContext.checkpoint(4);
    client.delay("nope").onComplete(testContext.failing(err -> testContext.verify(() -> {
      assertEquals(TaskException.Reason.UNKNOWN_TASK, ((TaskException) err).reason());
      checks.flag();
    })));
    client.delay("add", 1).onComplete(testContext.failing(err -> testContext.verify(() -> {
      assertEquals(TaskException.Reason.INVALID_REQUEST, ((TaskException) err).reason());
      assertTrue(err.getMessage().contains("missing argument \"y\""), err.getMessage());
      checks.flag();
    })));
    client.delay("add", 1, "two").onComplete(testContext.failing(err -> testContext.verify(() -> {
      assertTrue(err.getMessage().contains("expected number"), err.getMessage());
      checks.flag();
    })));
    client.handle("no-such-id").state().onComplete(testContext.failing(err -> testContext.verify(() -> {
      assertEquals(TaskException.Reason.NO_SUCH_TASK, ((TaskException) err).reason());
      checks.flag();
    })));
  }

  @Test
  @Timeout(10_000)
  @DisplayName("Keyword arguments bind by name: add(x=1, y=2) is 3")
  void kwargs(VertxTestContext testContext) {
    client.apply("add", new JsonArray(), new JsonObject().put("x", 1).put("y", 2), TaskOptions.defaults())
        .compose(handle -> handle.get(Duration.ofSeconds(5)))
        .onComplete(testContext.succeeding(result -> testContext.verify(() -> {
          assertEquals(3L, ((Number) result).longValue());
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(10_000)
  @DisplayName("Enqueueing twice with the same task id queues once and runs once")
  void idempotentEnqueue(Vertx vertx, VertxTestContext testContext) {
    TaskOptions options = TaskOptions.defaults().withTaskId("same-" + namespace);
    client.apply("count", new JsonArray().add("a"), null, options)
        .compose(first -> client.apply("count", new JsonArray().add("a"), null, options).map(second -> {
          testContext.verify(() -> {
            assertTrue(first.created());
            assertFalse(second.created());
          });
          return second;
        }))
        .compose(handle -> handle.get(Duration.ofSeconds(5)).compose(v -> vertx.timer(300)).map(v -> handle))
        .onComplete(testContext.succeeding(handle -> testContext.verify(() -> {
          assertEquals(1, tasks.runs(handle.id()));
          testContext.completeNow();
        })));
  }
}

package dev.switchboard.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.switchboard.shared.tasks.RedisTaskClient;
import dev.switchboard.api.tasks.TaskException;
import dev.switchboard.api.tasks.TaskHandle;
import dev.switchboard.api.tasks.TaskOptions;
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
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("Waiting for results: one notify channel and one batched re-read per client, never a poll per get()")
class TaskWaitingTest {

  /** Longer than every test: a get() that completes did not wait for the periodic re-read. */
  private static final JsonObject NO_POLL = new JsonObject().put("pollIntervalMs", 60_000);

  private final TestTasks tasks = new TestTasks();
  private final List<RedisTaskClient> clients = new ArrayList<>();
  private String namespace;

  @BeforeEach
  void setUp(Vertx vertx, VertxTestContext testContext) {
    namespace = TaskTesting.namespace();
    vertx.deployVerticle(new TaskWorker(tasks.registry(), TaskTesting.settings(namespace, new JsonObject()),
        TaskTesting.REDIS_URL)).onComplete(testContext.succeedingThenComplete());
  }

  @AfterEach
  void clean(Vertx vertx, VertxTestContext testContext) {
    clients.forEach(RedisTaskClient::close);
    TaskTesting.deleteNamespace(vertx, namespace).onComplete(testContext.succeedingThenComplete());
  }

  private RedisTaskClient client(Vertx vertx, JsonObject overrides) {
    RedisTaskClient client = RedisTaskClient.create(vertx, TaskTesting.REDIS_URL, TaskTesting.settings(namespace, overrides));
    clients.add(client);
    return client;
  }

  @Test
  @Timeout(20_000)
  @DisplayName("2,000 concurrent get() of tasks this client queued all complete from the notify channel")
  void notified(Vertx vertx, VertxTestContext testContext) {
    RedisTaskClient client = client(vertx, NO_POLL);
    List<Future<Object>> results = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      results.add(client.delay("count", i).compose(handle -> handle.get(Duration.ofSeconds(15))));
    }
    Future.all(results).onComplete(testContext.succeeding(all -> testContext.verify(() -> {
      assertEquals(2000, tasks.runs.size());
      assertEquals(0, client.waiting());
      testContext.completeNow();
    })));
  }

  @Test
  @Timeout(10_000)
  @DisplayName("get() on a handle rebuilt from an id (another client queued it) reads Redis at once")
  void foreignFinished(Vertx vertx, VertxTestContext testContext) {
    RedisTaskClient sender = client(vertx, NO_POLL);
    RedisTaskClient reader = client(vertx, NO_POLL);
    sender.delay("count", "x")
        .compose(handle -> handle.get(Duration.ofSeconds(5)).map(handle.id()))
        .compose(id -> reader.handle(id).get(Duration.ofSeconds(5)))
        .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  @Timeout(10_000)
  @DisplayName("get() on a foreign task that finishes later learns it from the shared periodic re-read")
  void foreignLater(Vertx vertx, VertxTestContext testContext) {
    RedisTaskClient sender = client(vertx, NO_POLL);
    RedisTaskClient reader = client(vertx, new JsonObject().put("pollIntervalMs", 100));
    sender.apply("wait", new JsonArray().add("w").add(400), null, TaskOptions.defaults())
        .compose(handle -> reader.handle(handle.id()).get(Duration.ofSeconds(5)))
        .onComplete(testContext.succeeding(result -> testContext.verify(() -> {
          assertEquals("waited", result);
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(10_000)
  @DisplayName("An unknown id fails get() with NO_SUCH_TASK at once, not at the timeout")
  void unknownId(Vertx vertx, VertxTestContext testContext) {
    client(vertx, NO_POLL).handle("no-such-id").get(Duration.ofSeconds(30))
        .onComplete(testContext.failing(err -> testContext.verify(() -> {
          assertEquals(TaskException.Reason.NO_SUCH_TASK, ((TaskException) err).reason());
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(10_000)
  @DisplayName("Waiters are bounded: past tasks.maxWaiters get() fails with QUEUE_FULL; timed-out waiters leave the map")
  void bounded(Vertx vertx, VertxTestContext testContext) {
    RedisTaskClient client = client(vertx, NO_POLL.copy().put("maxWaiters", 2));
    JsonArray slow = new JsonArray().add("s").add(3000);
    Future.all(List.of(client.apply("wait", slow, null, TaskOptions.defaults()),
            client.apply("wait", slow, null, TaskOptions.defaults()), client.delay("count", "third")))
        .compose(all -> {
          List<TaskHandle> handles = all.list();
          Future<Object> first = handles.get(0).get(Duration.ofMillis(300));
          Future<Object> second = handles.get(1).get(Duration.ofMillis(300));
          return handles.get(2).get(Duration.ofSeconds(5)).transform(third -> {
            testContext.verify(() -> assertEquals(TaskException.Reason.QUEUE_FULL, ((TaskException) third.cause()).reason()));
            return Future.join(first, second).transform(both -> Future.succeededFuture());
          })
              .map(v -> {
                testContext.verify(() -> {
                  assertInstanceOf(TimeoutException.class, first.cause());
                  assertInstanceOf(TimeoutException.class, second.cause());
                  assertEquals(0, client.waiting());
                });
                return handles.get(2);
              });
        })
        .compose(third -> third.get(Duration.ofSeconds(5)))
        .onComplete(testContext.succeedingThenComplete());
  }
}

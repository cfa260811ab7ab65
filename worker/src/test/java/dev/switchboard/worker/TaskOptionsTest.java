package dev.switchboard.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.shared.config.TaskSettings;
import dev.switchboard.shared.tasks.RedisTaskClient;
import dev.switchboard.api.tasks.TaskException;
import dev.switchboard.api.tasks.TaskOptions;
import dev.switchboard.api.tasks.TaskState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("Task options: countdown, eta, expires, retries, time limits, queues, priority, rate limit, result TTL")
class TaskOptionsTest {

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
    Future.join(deployments.stream().map(vertx::undeploy).toList())
        .compose(v -> TaskTesting.deleteNamespace(vertx, namespace))
        .onComplete(testContext.succeedingThenComplete());
  }

  private Future<String> worker(Vertx vertx, JsonObject overrides) {
    TaskSettings settings = TaskTesting.settings(namespace, overrides);
    return vertx.deployVerticle(new TaskWorker(tasks.registry(), settings, TaskTesting.REDIS_URL))
        .onSuccess(deployments::add);
  }

  private TaskOptions options() {
    return TaskOptions.defaults();
  }

  @Test
  @DisplayName("queue and task_id names: 1-128 of [A-Za-z0-9_.:-], anything else refused")
  void names() {
    for (String good : List.of("a", "reports.slow", "A-z_0:9", "q".repeat(128))) {
      assertEquals(good, options().withQueue(good).withTaskId(good).queue());
    }
    for (String bad : List.of("", "with space", "ümlaut", "slash/", "q".repeat(129))) {
      assertThrows(TaskException.class, () -> options().withQueue(bad), bad);
      assertThrows(TaskException.class, () -> options().withTaskId(bad), bad);
    }
  }

  @Test
  @DisplayName("The stored options read back the same from their text (a worker's streaming read) as from a JsonObject")
  void storedReadFromText() {
    long now = 1_800_000_000_000L;
    for (TaskOptions sent : List.of(options(), options().withCountdown(Duration.ofSeconds(3))
        .withExpires(Duration.ofMinutes(2)).withRetries(4, Duration.ofMillis(250), Duration.ofSeconds(9), false)
        .withRetryOn(List.of("ValueError", "java.io.IOException")).withTimeLimits(Duration.ofMillis(1500),
            Duration.ofSeconds(2)).withQueue("reports.slow").withPriority(8).withMaxDeliveries(7).withIgnoreResult(true))) {
      JsonObject stored = sent.toStored(now).put("added_later", new JsonObject().put("nested", new JsonArray().add(1)));
      assertEquals(TaskOptions.fromStored(stored), TaskOptions.fromStored(stored.encode()), stored.encode());
    }
    assertEquals(TaskOptions.fromStored(new JsonObject()), TaskOptions.fromStored("{}"));
  }

  @Test
  @Timeout(10_000)
  @DisplayName("countdown: the task starts no earlier than the countdown after it was sent")
  void countdown(Vertx vertx, VertxTestContext testContext) {
    long sent = System.currentTimeMillis();
    worker(vertx, new JsonObject())
        .compose(v -> client.apply("count", new JsonArray().add(1), null, options().withCountdown(Duration.ofMillis(700))))
        .compose(handle -> handle.get(Duration.ofSeconds(5)).compose(v -> handle.info()))
        .onComplete(testContext.succeeding(info -> testContext.verify(() -> {
          assertEquals(TaskState.SUCCESS, info.state());
          assertTrue(info.timestamps().get(TaskState.STARTED) >= sent + 700, "started too early");
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(10_000)
  @DisplayName("eta: the task starts no earlier than the given instant")
  void eta(Vertx vertx, VertxTestContext testContext) {
    Instant eta = Instant.now().plusMillis(600);
    worker(vertx, new JsonObject())
        .compose(v -> client.apply("count", new JsonArray().add(1), null, options().withEta(eta)))
        .compose(handle -> handle.get(Duration.ofSeconds(5)).compose(v -> handle.info()))
        .onComplete(testContext.succeeding(info -> testContext.verify(() -> {
          assertTrue(info.timestamps().get(TaskState.STARTED) >= eta.toEpochMilli());
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(10_000)
  @DisplayName("A countdown longer than the visibility timeout still runs exactly once")
  void countdownBeyondVisibilityRunsOnce(Vertx vertx, VertxTestContext testContext) {
    worker(vertx, new JsonObject().put("visibilityTimeoutMs", 600))
        .compose(v -> worker(vertx, new JsonObject().put("visibilityTimeoutMs", 600)))
        .compose(v -> client.apply("count", new JsonArray().add(1), null, options().withCountdown(Duration.ofMillis(2000))))
        .compose(handle -> handle.get(Duration.ofSeconds(6)).compose(v -> vertx.timer(1500)).compose(v -> handle.info()))
        .onComplete(testContext.succeeding(info -> testContext.verify(() -> {
          assertEquals(1, tasks.runs(info.id()));
          assertEquals(1, info.deliveries());
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(10_000)
  @DisplayName("expires: a task not started in time is REVOKED (TaskExpired) and never runs")
  void expires(Vertx vertx, VertxTestContext testContext) {
    worker(vertx, new JsonObject())
        .compose(v -> client.apply("count", new JsonArray().add(1), null,
            options().withCountdown(Duration.ofMillis(600)).withExpires(Duration.ofMillis(200))))
        .compose(handle -> handle.get(Duration.ofSeconds(5)).recover(err -> handle.info().map(info -> {
          testContext.verify(() -> {
            assertEquals(TaskException.Reason.REVOKED, ((TaskException) err).reason());
            assertEquals(TaskState.REVOKED, info.state());
            assertEquals("TaskExpired", info.error().type());
            assertEquals(0, tasks.runs(info.id()));
          });
          return null;
        })))
        .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  @Timeout(15_000)
  @DisplayName("Retries: a task failing twice succeeds on the third attempt, waits doubling from the backoff")
  void retriesWithBackoff(Vertx vertx, VertxTestContext testContext) {
    TaskOptions retrying = options().withRetries(3, Duration.ofMillis(200), Duration.ofSeconds(5), false);
    worker(vertx, new JsonObject())
        .compose(v -> client.apply("flaky", new JsonArray().add(2), null, retrying))
        .compose(handle -> handle.get(Duration.ofSeconds(10)).compose(result -> handle.info().map(info -> {
          List<Long> starts = tasks.startedAt.get(info.id());
          testContext.verify(() -> {
            assertEquals("ok after 2", result);
            assertEquals(2, info.retries());
            assertEquals(3, info.deliveries());
            assertEquals(3, starts.size());
            assertTrue(starts.get(1) - starts.get(0) >= 200, "first backoff < 200 ms");
            assertTrue(starts.get(2) - starts.get(1) >= 400, "second backoff < 400 ms");
            assertTrue(info.timestamps().containsKey(TaskState.RETRY));
          });
          return info;
        })))
        .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  @Timeout(10_000)
  @DisplayName("Retries stop at max_retries, and an exception not in retry_on fails at once")
  void retryLimits(Vertx vertx, VertxTestContext testContext) {
    TaskOptions twice = options().withRetries(1, Duration.ofMillis(50), Duration.ofSeconds(1), true);
    worker(vertx, new JsonObject())
        .compose(v -> client.apply("flaky", new JsonArray().add(5), null, twice))
        .compose(handle -> handle.get(Duration.ofSeconds(5)).transform(ar -> handle.info()))
        .compose(exhausted -> {
          testContext.verify(() -> {
            assertEquals(TaskState.FAILURE, exhausted.state());
            assertEquals(1, exhausted.retries());
          });
          return client.apply("flaky", new JsonArray().add(5), null, twice.withRetryOn(List.of("IllegalStateException")));
        })
        .compose(handle -> handle.get(Duration.ofSeconds(5)).transform(ar -> handle.info()))
        .onComplete(testContext.succeeding(info -> testContext.verify(() -> {
          var notRetried = info;
          assertEquals(TaskState.FAILURE, notRetried.state());
          assertEquals(0, notRetried.retries());
          assertEquals("java.io.IOException", notRetried.error().type());
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(10_000)
  @DisplayName("Soft time limit interrupts a blocking task, which can still return; the hard limit fails the attempt")
  void timeLimits(Vertx vertx, VertxTestContext testContext) {
    worker(vertx, new JsonObject())
        .compose(v -> client.apply("work", new JsonArray().add("soft").add(5000), null,
            options().withTimeLimits(Duration.ofMillis(200), null)))
        .compose(handle -> handle.get(Duration.ofSeconds(4)))
        .compose(result -> {
          testContext.verify(() -> assertEquals("soft limit", result));
          return client.apply("hang", new JsonArray(), null, options().withTimeLimits(null, Duration.ofMillis(300)));
        })
        .compose(handle -> handle.get(Duration.ofSeconds(4)))
        .onComplete(testContext.failing(err -> testContext.verify(() -> {
          TaskException failed = (TaskException) err;
          assertEquals(TaskException.Reason.FAILED, failed.reason());
          assertEquals(TimeLimitExceeded.class.getName(), failed.info().error().type());
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(10_000)
  @DisplayName("queue: a worker only takes tasks of its queues")
  void queues(Vertx vertx, VertxTestContext testContext) {
    // the client names "other" in its configuration: it accepts tasks there before any worker consumes it
    RedisTaskClient toOther = RedisTaskClient.create(vertx, TaskTesting.REDIS_URL, TaskTesting.settings(namespace,
        new JsonObject().put("acceptedQueues", new JsonArray().add("other"))));
    worker(vertx, new JsonObject())
        .compose(v -> toOther.apply("count", new JsonArray().add(1), null, options().withQueue("other")))
        .compose(handle -> vertx.timer(500).compose(v -> handle.state()).compose(state -> {
          testContext.verify(() -> assertEquals(TaskState.PENDING, state));
          return worker(vertx, new JsonObject().put("queues", new JsonArray().add("other")));
        }).compose(v -> handle.get(Duration.ofSeconds(5))))
        .eventually(() -> {
          toOther.close();
          return Future.succeededFuture();
        })
        .onComplete(testContext.succeeding(result -> testContext.verify(() -> {
          assertEquals(1, result);
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(10_000)
  @DisplayName("priority: with one slot, higher-priority tasks queued later run before lower ones")
  void priority(Vertx vertx, VertxTestContext testContext) {
    // a worker on another queue publishes the signatures; the one on "default" comes once all are queued
    Future<?> queued = worker(vertx, new JsonObject().put("queues", new JsonArray().add("elsewhere")))
        .compose(v -> client.apply("count", new JsonArray().add("low-1"), null, options().withPriority(1)))
        .compose(v -> client.apply("count", new JsonArray().add("low-2"), null, options().withPriority(1)))
        .compose(v -> client.apply("count", new JsonArray().add("high"), null, options().withPriority(9)));
    queued.compose(v -> client.apply("count", new JsonArray().add("last"), null, options().withPriority(0)))
        .compose(last -> worker(vertx, new JsonObject().put("concurrency", 1)).compose(v -> last.get(Duration.ofSeconds(5))))
        .onComplete(testContext.succeeding(v -> testContext.verify(() -> {
          assertEquals(List.of("high", "low-1", "low-2", "last"), tasks.order);
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(10_000)
  @DisplayName("rate limit 2/s: of 5 tasks, at most 2 start in any one second window")
  void rateLimit(Vertx vertx, VertxTestContext testContext) {
    List<Future<Object>> results = new ArrayList<>();
    worker(vertx, new JsonObject())
        .compose(v -> {
          for (int i = 0; i < 5; i++) {
            results.add(client.apply("limited", new JsonArray().add(i), null, options())
                .compose(handle -> handle.get(Duration.ofSeconds(8))));
          }
          return Future.all(results);
        })
        .onComplete(testContext.succeeding(v -> testContext.verify(() -> {
          List<Long> windows = tasks.startedAt.values().stream().map(starts -> starts.get(0) / 1000).sorted().toList();
          assertEquals(5, windows.size());
          for (long window : windows) {
            assertTrue(windows.stream().filter(w -> w == window).count() <= 2, "more than 2 starts in one second: " + windows);
          }
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(10_000)
  @DisplayName("Results expire after the result TTL: the id becomes unknown")
  void resultsExpire(Vertx vertx, VertxTestContext testContext) {
    client = RedisTaskClient.create(vertx, TaskTesting.REDIS_URL, TaskTesting.settings(namespace, new JsonObject().put("resultTtlMs", 300)));
    worker(vertx, new JsonObject().put("resultTtlMs", 300))
        .compose(v -> client.delay("add", 1, 1))
        .compose(handle -> handle.get(Duration.ofSeconds(5))
            .compose(v -> TaskTesting.eventually(vertx, 3000, () -> handle.info().map(info -> false)
                .recover(err -> Future.succeededFuture(((TaskException) err).reason() == TaskException.Reason.NO_SUCH_TASK)))))
        .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  @Timeout(10_000)
  @DisplayName("A full queue refuses more tasks with QUEUE_FULL instead of growing without bound")
  void queueBound(Vertx vertx, VertxTestContext testContext) {
    client = RedisTaskClient.create(vertx, TaskTesting.REDIS_URL, TaskTesting.settings(namespace, new JsonObject().put("maxQueueLength", 2)));
    // no worker: the stream only fills up
    worker(vertx, new JsonObject().put("queues", new JsonArray().add("elsewhere")))
        .compose(v -> client.delay("noop"))
        .compose(v -> client.delay("noop"))
        .compose(v -> client.delay("noop"))
        .onComplete(testContext.failing(err -> testContext.verify(() -> {
          assertEquals(TaskException.Reason.QUEUE_FULL, ((TaskException) err).reason());
          testContext.completeNow();
        })));
  }
}

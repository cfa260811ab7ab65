package dev.switchboard.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.api.tasks.TaskException;
import dev.switchboard.api.tasks.TaskInfo;
import dev.switchboard.api.tasks.TaskOptions;
import dev.switchboard.api.tasks.TaskState;
import dev.switchboard.shared.tasks.RedisTaskClient;
import dev.switchboard.shared.tasks.TaskInspector;
import dev.switchboard.shared.tasks.TaskKeys;
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
@DisplayName("Bounded Redis: only consumed queues, retries within the delayed bound, no consumers of dead workers")
class BoundedRedisTest {

  private final TestTasks tasks = new TestTasks();
  private final List<String> deployments = new ArrayList<>();
  private String namespace;

  @BeforeEach
  void setUp() {
    namespace = TaskTesting.namespace();
  }

  @AfterEach
  void clean(Vertx vertx, VertxTestContext testContext) {
    Future.join(deployments.stream().map(vertx::undeploy).toList())
        .compose(v -> TaskTesting.deleteNamespace(vertx, namespace))
        .onComplete(testContext.succeedingThenComplete());
  }

  private Future<String> worker(Vertx vertx, JsonObject overrides) {
    return vertx.deployVerticle(new TaskWorker(tasks.registry(), TaskTesting.settings(namespace, overrides),
        TaskTesting.REDIS_URL)).onSuccess(deployments::add);
  }

  private RedisTaskClient client(Vertx vertx, JsonObject overrides) {
    return RedisTaskClient.create(vertx, TaskTesting.REDIS_URL, TaskTesting.settings(namespace, overrides));
  }

  @Test
  @Timeout(15_000)
  @DisplayName("A task to a queue no worker consumes and no configuration names is refused (400); once a worker consumes it, accepted")
  void unknownQueueRefused(Vertx vertx, VertxTestContext testContext) {
    RedisTaskClient client = client(vertx, new JsonObject());
    TaskOptions toReports = TaskOptions.defaults().withQueue("reports");
    worker(vertx, new JsonObject())
        .compose(v -> client.apply("count", new JsonArray().add("r"), null, toReports).transform(refused -> {
          testContext.verify(() -> {
            assertTrue(refused.failed(), "queued to a queue nobody reads");
            TaskException error = assertInstanceOf(TaskException.class, refused.cause());
            assertEquals(TaskException.Reason.INVALID_REQUEST, error.reason());
            assertTrue(error.getMessage().contains("reports"), error.getMessage());
          });
          return worker(vertx, new JsonObject().put("queues", new JsonArray().add("reports")));
        }))
        // the refusal is cached for a moment: the event that proves the new worker counts is an accepted task
        .compose(v -> TaskTesting.eventually(vertx, 8000,
            () -> client.apply("count", new JsonArray().add("r"), null, toReports).map(handle -> true)))
        .eventually(() -> {
          client.close();
          return Future.succeededFuture();
        })
        .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  @Timeout(15_000)
  @DisplayName("A retry that would grow the delayed set past the queue bound ends FAILURE, saying so")
  void retryRespectsTheDelayedBound(Vertx vertx, VertxTestContext testContext) {
    JsonObject bound = new JsonObject().put("maxQueueLength", 1);
    RedisTaskClient client = client(vertx, bound);
    TaskOptions retried = TaskOptions.defaults().withRetries(3, Duration.ofMillis(10), Duration.ofMillis(10), false);
    worker(vertx, bound)
        // fills the delayed set: one task an hour away
        .compose(v -> client.apply("count", new JsonArray().add("later"), null,
            TaskOptions.defaults().withCountdown(Duration.ofHours(1))))
        .compose(later -> client.apply("fail", new JsonArray(), null, retried))
        .compose(failing -> failing.get(Duration.ofSeconds(8)).transform(done -> failing.info()))
        .eventually(() -> {
          client.close();
          return Future.succeededFuture();
        })
        .onComplete(testContext.succeeding(info -> testContext.verify(() -> {
          assertEquals(TaskState.FAILURE, info.state());
          assertTrue(info.error().message().contains("not retried: the delayed set is full"), info.error().message());
          assertEquals(1, tasks.runs(info.id()));
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(20_000)
  @DisplayName("A task waiting past waitingTtlMs in a queue no worker consumes ends REVOKED (TaskExpired) and is counted; an older one in a consumed (paused) queue waits on")
  void waitingTtl(Vertx vertx, VertxTestContext testContext) {
    JsonObject shortTtl = new JsonObject().put("waitingTtlMs", 300);
    RedisTaskClient client = client(vertx, new JsonObject().put("acceptedQueues", new JsonArray().add("orphan")));
    worker(vertx, shortTtl)
        .compose(v -> client.queueControl().pause("default"))
        .compose(v -> client.delay("count", "held"))
        .compose(held -> client.apply("count", new JsonArray().add("orphan"), null, TaskOptions.defaults().withQueue("orphan"))
            .compose(orphan -> orphan.get(Duration.ofSeconds(10)).transform(outcome -> {
              testContext.verify(() -> {
                TaskException error = assertInstanceOf(TaskException.class, outcome.cause());
                assertEquals(TaskException.Reason.REVOKED, error.reason());
              });
              return Future.all(orphan.info(), held.info(), client.inspector().queues());
            }))
            .compose(all -> {
              TaskInfo expired = all.resultAt(0);
              TaskInfo waiting = all.resultAt(1);
              TaskInspector.Queues queues = all.resultAt(2);
              testContext.verify(() -> {
                assertEquals(TaskState.REVOKED, expired.state());
                assertEquals("TaskExpired", expired.error().type());
                assertEquals(TaskState.PENDING, waiting.state(), "a consumed queue's task never expires");
                assertEquals(1, queues.queues().stream().filter(q -> q.queue().equals("orphan")).findFirst().orElseThrow().expired());
                assertEquals(0, queues.queues().stream().filter(q -> q.queue().equals("default")).findFirst().orElseThrow().expired());
              });
              return client.queueControl().resume("default").compose(v -> held.get(Duration.ofSeconds(10)));
            }))
        .eventually(() -> {
          client.close();
          return Future.succeededFuture();
        })
        .onComplete(testContext.succeedingThenComplete());
  }

  private static Future<List<String>> consumers(Redis redis, String stream) {
    return redis.send(Request.cmd(Command.XINFO).arg("CONSUMERS").arg(stream).arg(TaskKeys.GROUP)).map(reply -> {
      List<String> names = new ArrayList<>();
      reply.forEach(consumer -> names.add(consumer.get("name").toString()));
      return names;
    });
  }

  @Test
  @Timeout(20_000)
  @DisplayName("The consumer-group consumer of a worker that is gone and holds nothing is removed")
  void deadConsumersRemoved(Vertx vertx, VertxTestContext testContext) {
    String stream = new TaskKeys(namespace).stream(TaskOptions.DEFAULT_QUEUE, TaskOptions.DEFAULT_PRIORITY);
    Redis redis = Redis.createClient(vertx, TaskTesting.REDIS_URL);
    worker(vertx, new JsonObject().put("visibilityTimeoutMs", 1000))
        // what a worker that died holding nothing leaves behind: a consumer of the group with no pending entries
        .compose(v -> redis.send(Request.cmd(Command.XGROUP).arg("CREATECONSUMER").arg(stream).arg(TaskKeys.GROUP)
            .arg("dead-worker")))
        .compose(v -> consumers(redis, stream))
        .compose(before -> {
          testContext.verify(() -> assertTrue(before.contains("dead-worker"), "the dead worker's consumer: " + before));
          return TaskTesting.eventually(vertx, 15_000,
              () -> consumers(redis, stream).map(names -> !names.contains("dead-worker")));
        })
        .eventually(() -> {
          redis.close();
          return Future.succeededFuture();
        })
        .onComplete(testContext.succeedingThenComplete());
  }
}

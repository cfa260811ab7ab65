package dev.switchboard.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.api.tasks.TaskException;
import dev.switchboard.api.tasks.TaskHandle;
import dev.switchboard.api.tasks.TaskInfo;
import dev.switchboard.api.tasks.TaskOptions;
import dev.switchboard.api.tasks.TaskState;
import dev.switchboard.shared.tasks.QueueControl;
import dev.switchboard.shared.tasks.RedisTaskClient;
import dev.switchboard.shared.tasks.TaskInspector;
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
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Pause, resume and purge over real Redis with real workers. "Nothing started" is proven by a later event: a task
 * of the queue {@code other}, sent after the paused ones and read after them by the same claim (same priority,
 * {@code default} first in the worker's queues), has finished.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Queue control: pause, resume, purge")
class QueueControlTest {

  private static final JsonObject TWO_QUEUES = new JsonObject().put("queues", new JsonArray().add("default").add("other"));
  private static final TaskOptions OTHER = TaskOptions.defaults().withQueue("other");
  private static final Duration WAIT = Duration.ofSeconds(20);

  private final TestTasks tasks = new TestTasks();
  private final List<String> deployments = new ArrayList<>();
  private String namespace;
  private RedisTaskClient client;
  private QueueControl control;

  @BeforeEach
  void setUp(Vertx vertx) {
    namespace = TaskTesting.namespace();
    client = RedisTaskClient.create(vertx, TaskTesting.REDIS_URL, TaskTesting.settings(namespace, TWO_QUEUES));
    control = client.queueControl();
  }

  @AfterEach
  void clean(Vertx vertx, VertxTestContext testContext) {
    Future.join(deployments.stream().map(vertx::undeploy).toList())
        .compose(v -> {
          client.close();
          return TaskTesting.deleteNamespace(vertx, namespace);
        })
        .onComplete(testContext.succeedingThenComplete());
  }

  private Future<String> worker(Vertx vertx) {
    return vertx.deployVerticle(new TaskWorker(tasks.registry(), TaskTesting.settings(namespace, TWO_QUEUES),
        TaskTesting.REDIS_URL)).onSuccess(deployments::add);
  }

  private Future<String> stopWorker(Vertx vertx, String deployment) {
    deployments.remove(deployment);
    return vertx.undeploy(deployment).map(deployment);
  }

  /** A task on the queue {@code other}, finished: every claim since the earlier tasks were sent has looked at them. */
  private Future<Object> proof(String tag) {
    return client.apply("count", new JsonArray().add(tag), null, OTHER).compose(handle -> handle.get(WAIT));
  }

  private Future<List<TaskState>> states(List<TaskHandle> handles) {
    return Future.all(handles.stream().map(TaskHandle::state).toList()).map(all -> all.<TaskState>list());
  }

  private Future<List<TaskHandle>> send(int count, String tag) {
    return Future.all(IntStream.range(0, count).mapToObj(i -> client.delay("count", tag + i)).toList())
        .map(all -> all.<TaskHandle>list());
  }

  @Test
  @Timeout(60_000)
  @DisplayName("A paused queue holds 5 tasks PENDING until resumed, across a worker restart; then all 5 run once")
  void pausedAcrossRestart(Vertx vertx, VertxTestContext testContext) {
    List<TaskHandle> held = new ArrayList<>();
    worker(vertx)
        .compose(first -> control.pause("default")
            .compose(changed -> {
              testContext.verify(() -> assertTrue(changed, "the queue was running before"));
              return send(5, "held");
            })
            .compose(handles -> {
              held.addAll(handles);
              return proof("before restart");
            })
            .compose(v -> states(held))
            .compose(states -> {
              testContext.verify(() -> assertEquals(List.of(TaskState.PENDING, TaskState.PENDING, TaskState.PENDING,
                  TaskState.PENDING, TaskState.PENDING), states));
              return stopWorker(vertx, first);
            }))
        .compose(v -> worker(vertx))
        .compose(second -> proof("after restart"))
        .compose(v -> Future.all(states(held), client.inspector().queues()))
        .compose(all -> {
          List<TaskState> states = all.resultAt(0);
          TaskInspector.Queues queues = all.resultAt(1);
          testContext.verify(() -> {
            assertTrue(states.stream().allMatch(TaskState.PENDING::equals), "after the restart: " + states);
            assertTrue(held.stream().allMatch(handle -> tasks.runs(handle.id()) == 0), "a held task ran");
            TaskInspector.QueueStats stats = queues.queues().stream().filter(q -> q.queue().equals("default"))
                .findFirst().orElseThrow();
            assertTrue(stats.paused(), "GET /api/queues shows the queue paused");
            assertEquals(5, stats.depth());
          });
          return control.resume("default");
        })
        .compose(changed -> Future.all(held.stream().map(handle -> handle.get(WAIT)).toList()))
        .onComplete(testContext.succeeding(done -> testContext.verify(() -> {
          assertTrue(held.stream().allMatch(handle -> tasks.runs(handle.id()) == 1), "each held task ran once");
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(30_000)
  @DisplayName("A task running when its queue is paused finishes (SUCCESS); the next one waits")
  void runningTaskFinishesWhilePaused(Vertx vertx, VertxTestContext testContext) {
    worker(vertx)
        .compose(v -> client.delay("stage", "running"))
        .compose(running -> TaskTesting.eventually(vertx, 10_000, () -> running.info()
                .map(info -> info.state() == TaskState.PROGRESS))
            .compose(v -> control.pause("default"))
            .compose(v -> client.delay("count", "next"))
            .compose(next -> {
              tasks.gates.get("running").complete("finished while paused");
              return running.get(WAIT).compose(result -> proof("after").compose(v -> next.state())
                  .map(state -> List.of(result, state)));
            }))
        .onComplete(testContext.succeeding(outcome -> testContext.verify(() -> {
          assertEquals("finished while paused", outcome.get(0));
          assertEquals(TaskState.PENDING, outcome.get(1));
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(30_000)
  @DisplayName("Purge: the waiting tasks end REVOKED (Purged) and never run, the running one finishes, the count is answered")
  void purge(Vertx vertx, VertxTestContext testContext) {
    List<TaskHandle> waiting = new ArrayList<>();
    worker(vertx)
        .compose(v -> client.delay("stage", "busy"))
        .compose(running -> TaskTesting.eventually(vertx, 10_000, () -> running.info()
                .map(info -> info.state() == TaskState.PROGRESS))
            .compose(v -> control.pause("default"))
            .compose(v -> send(3, "purged"))
            .compose(handles -> {
              waiting.addAll(handles);
              return control.purge("default");
            })
            .compose(purged -> {
              testContext.verify(() -> assertEquals(3L, purged));
              return Future.all(waiting.stream().map(handle -> handle.get(WAIT).transform(Future::succeededFuture)
                  .compose(outcome -> handle.info())).toList());
            })
            .compose(revoked -> {
              testContext.verify(() -> revoked.<TaskInfo>list().forEach(info -> {
                assertEquals(TaskState.REVOKED, info.state());
                assertEquals("Purged", info.error().type());
              }));
              tasks.gates.get("busy").complete("kept");
              return control.resume("default").compose(v -> running.get(WAIT));
            }))
        .compose(kept -> client.delay("count", "after purge").compose(handle -> handle.get(WAIT)).map(kept))
        .onComplete(testContext.succeeding(kept -> testContext.verify(() -> {
          assertEquals("kept", kept);
          assertTrue(waiting.stream().allMatch(handle -> tasks.runs(handle.id()) == 0), "a purged task ran");
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(15_000)
  @DisplayName("Pausing an unknown queue fails UNKNOWN_QUEUE naming it; a malformed name INVALID_REQUEST; a second pause changes nothing")
  void unknownQueue(Vertx vertx, VertxTestContext testContext) {
    worker(vertx)
        .compose(v -> control.pause("nowhere").transform(Future::succeededFuture))
        .compose(unknown -> control.purge("bad queue").transform(Future::succeededFuture).map(bad -> List.of(unknown, bad)))
        .compose(refusals -> control.pause("other").compose(first -> control.pause("other"))
            .map(second -> {
              testContext.verify(() -> {
                TaskException unknown = assertInstanceOf(TaskException.class, refusals.get(0).cause());
                assertEquals(TaskException.Reason.UNKNOWN_QUEUE, unknown.reason());
                assertTrue(unknown.getMessage().contains("nowhere"), unknown.getMessage());
                TaskException bad = assertInstanceOf(TaskException.class, refusals.get(1).cause());
                assertEquals(TaskException.Reason.INVALID_REQUEST, bad.reason());
                assertFalse(second, "the queue was paused already");
              });
              return second;
            }))
        .onComplete(testContext.succeedingThenComplete());
  }
}

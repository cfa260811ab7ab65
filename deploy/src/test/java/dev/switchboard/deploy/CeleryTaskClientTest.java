package dev.switchboard.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.api.tasks.TaskException;
import dev.switchboard.api.tasks.TaskInfo;
import dev.switchboard.api.tasks.TaskOptions;
import dev.switchboard.api.tasks.TaskState;
import dev.switchboard.interop.celery.CeleryTaskClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Switchboard's Celery TaskClient calls a real Python Celery worker (Debian's python3-celery) on the machine's Redis. */
@ExtendWith(VertxExtension.class)
@DisplayName("Switchboard → a Python Celery worker, in Celery's protocol v2")
class CeleryTaskClientTest {

  private static final String REDIS = "redis://127.0.0.1:6379";
  private final String queue = "py-" + UUID.randomUUID().toString().substring(0, 8);
  private final String gate = "test-gate-" + queue;
  private ScriptRun worker;
  private CeleryTaskClient client;
  private Redis redis;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    worker = ScriptRun.start(List.of("/usr/bin/python3", "-m", "celery", "--workdir", "python/interop", "-A", "pytasks",
        "worker", "-l", "INFO", "-Q", queue, "-c", "1", "-P", "solo", "--without-gossip", "--without-mingle", "--without-heartbeat"));
    worker.awaitLine("ready.", 60);
    client = new CeleryTaskClient(vertx, REDIS, queue);
    redis = Redis.createClient(vertx, REDIS);
  }

  @AfterEach
  void stop() throws Exception {
    if (worker != null) {
      worker.close(); // first: a start that failed left no client but a running worker
    }
    if (client != null) {
      client.close();
    }
    if (redis != null) {
      redis.send(Request.cmd(Command.DEL).arg(gate).arg(queue).arg(IDLE).arg("_kombu.binding." + queue)).eventually(redis::close)
          .await(10, TimeUnit.SECONDS);
    }
  }

  /** A queue no worker takes: a task waits there until the test hands it to the worker's queue. */
  private static final String IDLE = "nobody-" + UUID.randomUUID().toString().substring(0, 8);

  private TaskInfo awaitState(Vertx vertx, String id, TaskState state) throws Exception {
    AtomicReference<TaskInfo> last = new AtomicReference<>();
    Eventually.eventually(vertx, 30_000, () -> client.info(id).map(info -> {
      last.set(info);
      return info.state() == state;
    })).await(40, TimeUnit.SECONDS);
    return last.get();
  }

  private void openGate() throws Exception {
    redis.send(Request.cmd(Command.RPUSH).arg(gate).arg("go")).await(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("a Python task's STARTED, custom state and PROGRESS read as Switchboard's STARTED and PROGRESS, each with its meta")
  void states(Vertx vertx) throws Exception {
    String id = client.apply("pytasks.gated", new JsonArray().add(gate), new JsonObject(), TaskOptions.defaults())
        .await(10, TimeUnit.SECONDS).id();
    TaskInfo started = awaitState(vertx, id, TaskState.STARTED);
    assertEquals("pytasks.gated", started.name());
    assertNull(started.progress(), "the worker's pid and hostname are no progress: " + started.progress());
    openGate();
    TaskInfo custom = awaitState(vertx, id, TaskState.PROGRESS);
    assertEquals("DOWNLOADING", custom.customState());
    assertEquals(new JsonObject().put("file", "a.csv"), custom.progress());
    openGate();
    Eventually.eventually(vertx, 30_000, () -> client.info(id).map(info -> info.customState() == null
        && info.state() == TaskState.PROGRESS)).await(40, TimeUnit.SECONDS);
    TaskInfo progress = client.info(id).await(10, TimeUnit.SECONDS);
    assertEquals(new JsonObject().put("current", 1).put("total", 2), progress.progress());
    openGate();
    assertEquals("through", client.handle(id).get(Duration.ofSeconds(30)).await(40, TimeUnit.SECONDS));
    assertEquals(TaskState.SUCCESS, client.info(id).await(10, TimeUnit.SECONDS).state());
  }

  @Test
  @DisplayName("revoke() is broadcast to the Python worker: the task is PENDING until it arrives, then REVOKED, and get() fails REVOKED")
  void revoke(Vertx vertx) throws Exception {
    String id = client.apply("pytasks.add", new JsonArray().add(1).add(1), new JsonObject(), TaskOptions.defaults()
        .withQueue(IDLE)).await(10, TimeUnit.SECONDS).id();
    assertEquals(TaskState.PENDING, client.revoke(id).await(10, TimeUnit.SECONDS));
    worker.awaitLine("Tasks flagged as revoked: " + id, 30);
    // the message reaches the worker only now, as if its queue had been busy
    redis.send(Request.cmd(Command.LMOVE).arg(IDLE).arg(queue).arg("RIGHT").arg("LEFT")).await(10, TimeUnit.SECONDS);
    TaskInfo revoked = client.awaitFinal(id, Duration.ofSeconds(30)).await(40, TimeUnit.SECONDS);
    assertEquals(TaskState.REVOKED, revoked.state());
    assertEquals("celery.exceptions.TaskRevokedError", revoked.error().type());
    Exception failed = assertThrows(Exception.class,
        () -> client.handle(id).get(Duration.ofSeconds(10)).await(20, TimeUnit.SECONDS));
    assertTrue(failed instanceof TaskException exception && exception.reason() == TaskException.Reason.REVOKED,
        failed.toString());
  }

  @Test
  @DisplayName("apply sends a task the Python worker runs, and get() returns its result")
  void result() throws Exception {
    Object result = client.apply("pytasks.add", new JsonArray().add(2).add(3), new JsonObject(), TaskOptions.defaults())
        .compose(handle -> handle.get(Duration.ofSeconds(30))).await(40, TimeUnit.SECONDS);
    assertEquals(5, ((Number) result).intValue());
  }

  @Test
  @DisplayName("a Python exception is a FAILURE whose error names the Python class and message")
  void failure() throws Exception {
    String id = client.apply("pytasks.boom", new JsonArray().add("no luck"), new JsonObject(), TaskOptions.defaults())
        .await(10, TimeUnit.SECONDS).id();
    var info = client.awaitFinal(id, Duration.ofSeconds(30)).await(40, TimeUnit.SECONDS);
    assertEquals(TaskState.FAILURE, info.state());
    assertEquals("builtins.ValueError", info.error().type());
    assertTrue(info.error().message().contains("no luck"), info.error().message());
    Exception failed = assertThrows(Exception.class,
        () -> client.handle(id).get(Duration.ofSeconds(10)).await(20, TimeUnit.SECONDS));
    assertTrue(failed instanceof TaskException exception && exception.reason() == TaskException.Reason.FAILED, failed.toString());
  }
}

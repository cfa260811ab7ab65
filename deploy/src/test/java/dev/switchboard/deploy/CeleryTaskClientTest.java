package dev.switchboard.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.api.tasks.TaskException;
import dev.switchboard.api.tasks.TaskOptions;
import dev.switchboard.api.tasks.TaskState;
import dev.switchboard.interop.celery.CeleryTaskClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
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
  private ScriptRun worker;
  private CeleryTaskClient client;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    worker = ScriptRun.start(List.of("/usr/bin/python3", "-m", "celery", "--workdir", "python/interop", "-A", "pytasks",
        "worker", "-l", "INFO", "-Q", queue, "-c", "1", "-P", "solo", "--without-gossip", "--without-mingle", "--without-heartbeat"));
    worker.awaitLine("ready.", 60);
    client = new CeleryTaskClient(vertx, REDIS, queue);
  }

  @AfterEach
  void stop() throws Exception {
    if (worker != null) {
      worker.close(); // first: a start that failed left no client but a running worker
    }
    if (client != null) {
      client.close();
    }
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

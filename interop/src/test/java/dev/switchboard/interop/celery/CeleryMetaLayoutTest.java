package dev.switchboard.interop.celery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.shared.tasks.LuaScript;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The result metas Switchboard writes are byte for byte what a Celery 5.2.6 worker writes (key order, ", " and
 * ": " separators, {@code "children": []}, naive UTC {@code date_done} with microseconds), compared with metas
 * {@code redis-cli monitor} captured from a real Celery worker (WIRE.md §3, {@code captures/celery-worker-run.monitor.txt}
 * lines 109 and 114, {@code celery-worker-retry-progress.monitor.txt} line 101). Only the clock differs: Switchboard
 * counts whole milliseconds, so the captured microseconds are compared truncated. Runs on the machine's Redis.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
@DisplayName("Celery result metas, as a Celery worker writes them")
class CeleryMetaLayoutTest {

  private static final LuaScript PROBE = LuaScript.load(CeleryMetaLayoutTest.class, "meta_probe.lua");
  private static final String ID = "30147e11-139c-48e8-abb8-a0793f2a5e3f";

  private Redis redis;

  @BeforeEach
  void connect(Vertx vertx) {
    redis = Redis.createClient(vertx, "redis://127.0.0.1:6379");
  }

  @AfterEach
  void clean() throws Exception {
    redis.send(Request.cmd(Command.DEL).arg(CeleryKeys.meta(ID))).eventually(redis::close).await(10, TimeUnit.SECONDS);
  }

  private String write(String state, String result, String error, String doneAt) throws Exception {
    long now = Instant.parse(doneAt).toEpochMilli();
    return PROBE.run(redis, List.of(CeleryKeys.meta(ID)), List.of(ID, state, result, error, now, 86400))
        .await(10, TimeUnit.SECONDS).toString();
  }

  @Test
  @DisplayName("SUCCESS: date_done is naive UTC isoformat with six fraction digits, children an empty list")
  void success() throws Exception {
    // captured: ... "date_done": "2026-12-01T06:55:40.569302" ... (celery-worker-run.monitor.txt:114)
    assertEquals("{\"status\": \"SUCCESS\", \"result\": 5, \"traceback\": null, \"children\": [], \"date_done\": "
        + "\"2026-12-01T06:55:40.569000\", \"task_id\": \"30147e11-139c-48e8-abb8-a0793f2a5e3f\"}",
        write("SUCCESS", "5", "", "2026-12-01T06:55:40.569302Z"));
  }

  @Test
  @DisplayName("STARTED: date_done null (not final), the result as given")
  void started() throws Exception {
    // captured verbatim (celery-worker-run.monitor.txt:109)
    assertEquals("{\"status\": \"STARTED\", \"result\": {\"pid\": 23530, \"hostname\": \"w1@vm\"}, \"traceback\": null, "
        + "\"children\": [], \"date_done\": null, \"task_id\": \"30147e11-139c-48e8-abb8-a0793f2a5e3f\"}",
        write("STARTED", "{\"pid\": 23530, \"hostname\": \"w1@vm\"}", "", "2026-12-01T06:55:40.569063Z"));
  }

  @Test
  @DisplayName("REVOKED: TaskRevokedError('revoked') from celery.exceptions, date_done set")
  void revoked() throws Exception {
    // captured with the id of that capture's task (celery-worker-retry-progress.monitor.txt:101)
    assertEquals("{\"status\": \"REVOKED\", \"result\": {\"exc_type\": \"TaskRevokedError\", \"exc_message\": "
        + "[\"revoked\"], \"exc_module\": \"celery.exceptions\"}, \"traceback\": null, \"children\": [], "
        + "\"date_done\": \"2026-12-01T06:56:12.369000\", \"task_id\": \"30147e11-139c-48e8-abb8-a0793f2a5e3f\"}",
        write("REVOKED", "{\"exc_type\": \"TaskRevokedError\", \"exc_message\": [\"revoked\"], "
            + "\"exc_module\": \"celery.exceptions\"}", "", "2026-12-01T06:56:12.369619Z"));
  }

  @Test
  @DisplayName("FAILURE of a JVM exception: simple class name, [message], its package as module, the stack as traceback")
  void failure() throws Exception {
    String error = new JsonObject().put("type", "java.lang.IllegalStateException").put("message", "bad \"thing\"")
        .put("stack", "java.lang.IllegalStateException: bad\n\tat x.y(Z.java:1)").encode();
    assertEquals("{\"status\": \"FAILURE\", \"result\": {\"exc_type\": \"IllegalStateException\", \"exc_message\": "
        + "[\"bad \\\"thing\\\"\"], \"exc_module\": \"java.lang\"}, \"traceback\": "
        + "\"java.lang.IllegalStateException: bad\\n\\tat x.y(Z.java:1)\", \"children\": [], "
        + "\"date_done\": \"2000-02-29T23:59:59.999000\", \"task_id\": \"30147e11-139c-48e8-abb8-a0793f2a5e3f\"}",
        write("FAILURE", "", error, "2000-02-29T23:59:59.999Z"));
  }

  @Test
  @DisplayName("the worker's TimeLimitExceeded is billiard's, as Python's get() must raise Celery's own class")
  void timeLimitExceeded() throws Exception {
    String error = new JsonObject().put("type", "dev.switchboard.worker.TimeLimitExceeded").put("message", "late").encode();
    String meta = write("FAILURE", "", error, "2026-12-01T00:00:00Z");
    assertTrue(meta.contains("\"result\": {\"exc_type\": \"TimeLimitExceeded\", \"exc_message\": [\"late\"], "
        + "\"exc_module\": \"billiard.exceptions\"}"), meta);
  }
}

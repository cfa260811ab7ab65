package dev.switchboard.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.gateway.GatewayVerticle;
import dev.switchboard.interop.celery.CeleryTaskClient;
import dev.switchboard.shared.config.SwitchboardConfig;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The HTTP task API sends a task to a real Python Celery worker (Debian's python3-celery) with
 * {@code "options": {"celery": true}} and reads its state and result from the Celery backend, on the machine's
 * Redis; each test has its own Celery queue and task namespace.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("HTTP task API → a Python Celery worker")
class CeleryTaskApiTest {

  private static final String REDIS = "redis://127.0.0.1:6379";
  private final String queue = "py-http-" + UUID.randomUUID().toString().substring(0, 8);
  private final String idle = "nobody-" + UUID.randomUUID().toString().substring(0, 8);
  private final String namespace = "test-" + queue;
  private ScriptRun worker;
  private CeleryTaskClient celery;
  private HttpClient http;
  private int port;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    worker = ScriptRun.start(List.of("/usr/bin/python3", "-m", "celery", "--workdir", "python/interop", "-A", "pytasks",
        "worker", "-l", "INFO", "-Q", queue, "-c", "1", "-P", "solo", "--without-gossip", "--without-mingle", "--without-heartbeat"));
    worker.awaitLine("ready.", 60);
    JsonObject json = new JsonObject()
        .put("http", new JsonObject().put("port", 0).put("instances", 1).put("host", "127.0.0.1"))
        .put("redis", new JsonObject().put("url", REDIS))
        .put("tasks", new JsonObject().put("namespace", namespace));
    celery = new CeleryTaskClient(vertx, REDIS, "celery", namespace, 600);
    GatewayVerticle gateway = GatewayVerticle.standalone(celery);
    vertx.deployVerticle(gateway, new DeploymentOptions().setConfig(SwitchboardConfig.fromJson(json).toJson()))
        .await(60, TimeUnit.SECONDS);
    port = gateway.actualPort();
    http = vertx.createHttpClient();
  }

  @AfterEach
  void stop(Vertx vertx) throws Exception {
    if (worker != null) {
      worker.close();
    }
    Redis redis = Redis.createClient(vertx, REDIS);
    redis.send(Request.cmd(Command.EVAL)
            .arg("for _, k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', k) end return redis.call('DEL', ARGV[2])")
            .arg(0).arg("switchboard:" + namespace + ":*").arg(idle))
        .compose(v -> redis.send(Request.cmd(Command.DEL).arg("_kombu.binding." + queue)))
        .eventually(redis::close).await(20, TimeUnit.SECONDS);
    if (celery != null) {
      celery.close();
    }
  }

  private record Reply(int status, String location, JsonObject body) {
  }

  private Future<Reply> request(HttpMethod method, String path, JsonObject body) {
    return http.request(new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(port).setURI(path)
            .putHeader("Content-Type", "application/json"))
        .compose(request -> body == null ? request.send() : request.send(body.encode()))
        .compose(response -> response.body().map(bytes -> new Reply(response.statusCode(),
            response.getHeader("Location"), bytes.length() == 0 ? new JsonObject() : bytes.toJsonObject())));
  }

  private Reply call(HttpMethod method, String path, JsonObject body) throws Exception {
    return request(method, path, body).await(30, TimeUnit.SECONDS);
  }

  private String submit(String name, JsonObject body) throws Exception {
    Reply reply = call(HttpMethod.POST, "/api/tasks/" + name, body);
    assertEquals(202, reply.status(), reply.body().encode());
    assertEquals("/api/tasks/" + reply.body().getString("id"), reply.location());
    return reply.body().getString("id");
  }

  /** GETs the task until it reaches {@code state} (each GET is a real request; no fixed wait decides anything). */
  private JsonObject awaitState(Vertx vertx, String id, String state) throws Exception {
    AtomicReference<JsonObject> last = new AtomicReference<>();
    Eventually.eventually(vertx, 60_000, () -> request(HttpMethod.GET, "/api/tasks/" + id, null).map(reply -> {
      last.set(reply.body());
      return state.equals(reply.body().getString("state"));
    })).await(70, TimeUnit.SECONDS);
    return last.get();
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  @DisplayName("POST with options.celery runs on the Python worker; GET reads SUCCESS and its result from Celery")
  void success(Vertx vertx) throws Exception {
    String id = submit("pytasks.add", new JsonObject().put("args", List.of(2, 3))
        .put("options", new JsonObject().put("celery", true).put("queue", queue)));
    JsonObject done = awaitState(vertx, id, "SUCCESS");
    assertEquals(5, done.getInteger("result"), done.encode());
    assertEquals("pytasks.add", done.getString("name"), done.encode());
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  @DisplayName("a Python exception is a FAILURE whose error names the Python class and message")
  void failure(Vertx vertx) throws Exception {
    String id = submit("pytasks.boom", new JsonObject().put("args", List.of("no luck"))
        .put("options", new JsonObject().put("celery", true).put("queue", queue)));
    JsonObject failed = awaitState(vertx, id, "FAILURE");
    JsonObject error = failed.getJsonObject("error");
    assertEquals("builtins.ValueError", error.getString("type"), failed.encode());
    assertTrue(error.getString("message").contains("no luck"), failed.encode());
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  @DisplayName("DELETE revokes a Celery task: PENDING until it reaches the Python worker, then GET reads REVOKED with Celery's error")
  void revoke(Vertx vertx) throws Exception {
    String id = submit("pytasks.add", new JsonObject().put("args", List.of(1, 1))
        .put("options", new JsonObject().put("celery", true).put("queue", idle)));
    Reply revoked = call(HttpMethod.DELETE, "/api/tasks/" + id, null);
    assertEquals(200, revoked.status(), revoked.body().encode());
    assertEquals("PENDING", revoked.body().getString("state"), revoked.body().encode());
    worker.awaitLine("Tasks flagged as revoked: " + id, 30);
    // the message reaches the worker only now, as if its queue had been busy
    Redis redis = Redis.createClient(vertx, REDIS);
    redis.send(Request.cmd(Command.LMOVE).arg(idle).arg(queue).arg("RIGHT").arg("LEFT")).eventually(redis::close)
        .await(10, TimeUnit.SECONDS);
    JsonObject done = awaitState(vertx, id, "REVOKED");
    assertEquals("celery.exceptions.TaskRevokedError", done.getJsonObject("error").getString("type"), done.encode());
    assertEquals("pytasks.add", done.getString("name"), done.encode());
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  @DisplayName("a Celery task no worker took yet is PENDING; an id nobody sent is 404; a non-boolean celery option is 400")
  void pendingUnknownAndBadInput() throws Exception {
    String id = submit("pytasks.add", new JsonObject().put("args", List.of(1, 1))
        .put("options", new JsonObject().put("celery", true).put("queue", idle)));
    Reply pending = call(HttpMethod.GET, "/api/tasks/" + id, null);
    assertEquals(200, pending.status(), pending.body().encode());
    assertEquals("PENDING", pending.body().getString("state"), pending.body().encode());
    assertEquals("pytasks.add", pending.body().getString("name"), pending.body().encode());
    Reply unknown = call(HttpMethod.GET, "/api/tasks/" + UUID.randomUUID(), null);
    assertEquals(404, unknown.status(), unknown.body().encode());
    Reply bad = call(HttpMethod.POST, "/api/tasks/pytasks.add", new JsonObject().put("options", new JsonObject().put("celery", "yes")));
    assertEquals(400, bad.status(), bad.body().encode());
    assertTrue(bad.body().encode().contains("options.celery"), bad.body().encode());
  }
}

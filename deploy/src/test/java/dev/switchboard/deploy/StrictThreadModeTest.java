package dev.switchboard.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.api.tasks.TaskSignature;
import dev.switchboard.gateway.GatewayServices;
import dev.switchboard.gateway.GatewayVerticle;
import dev.switchboard.gateway.RouteDirectory;
import dev.switchboard.shared.config.SwitchboardConfig;
import dev.switchboard.shared.tasks.RedisTaskClient;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The gateway's HTTP server runs in strict thread mode, which refuses (races) a response written from another event
 * loop. As in a node, the task client is shared and lives on an event loop of its own: its first call subscribes
 * the notify channel there, and the task API's answer must still be written on the request's own event loop (the
 * suite runs with assertions on, so the gateway fails any response written off its loop).
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Strict thread mode: the task API answers from a node-shared task client on the request's event loop")
class StrictThreadModeTest {

  private static final String REDIS_URL = System.getenv().getOrDefault("SWITCHBOARD_TEST_REDIS_URL", "redis://127.0.0.1:6379");

  private String namespace;
  private RedisTaskClient tasks;
  private RouteDirectory routes;
  private GatewayVerticle gateway;
  /**
   * A field, not a local: Vert.x closes a client that becomes unreachable (a cleaner), so a local one whose requests
   * are still queued for a connection can be closed by a GC under them (seen as "Client is closed", or a request
   * that never completes).
   */
  private HttpClient http;

  @BeforeEach
  void deploy(Vertx vertx, VertxTestContext testContext) {
    namespace = "strict-" + UUID.randomUUID().toString().substring(0, 8);
    SwitchboardConfig config = SwitchboardConfig.fromJson(new JsonObject()
        .put("http", new JsonObject().put("port", 0).put("instances", 1).put("host", "127.0.0.1"))
        .put("redis", new JsonObject().put("url", REDIS_URL))
        .put("tasks", new JsonObject().put("namespace", namespace)));
    assertTrue(config.http().strictThreadMode(), "strict thread mode is the default");
    tasks = RedisTaskClient.forNode(vertx, REDIS_URL, config.tasks()); // home: an event loop of its own
    routes = new RouteDirectory(vertx);
    gateway = new GatewayVerticle(GatewayServices.create(vertx, config, routes, tasks), null);
    // registered as a worker would (this does not subscribe the notify channel: the first POST still does)
    tasks.register("strict.noop", TaskSignature.of())
        .compose(v -> routes.start())
        .compose(v -> vertx.deployVerticle(gateway, new DeploymentOptions().setConfig(config.toJson())))
        .onComplete(testContext.succeedingThenComplete());
  }

  @AfterEach
  void clean(Vertx vertx, VertxTestContext testContext) {
    Redis redis = Redis.createClient(vertx, REDIS_URL);
    Future.join(vertx.deploymentIDs().stream().map(vertx::undeploy).toList())
        .eventually(() -> http == null ? Future.succeededFuture() : http.close())
        .eventually(routes::stop)
        .eventually(() -> {
          tasks.close();
          return redis.send(Request.cmd(Command.EVAL)
              .arg("for _, k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', k) end return 1")
              .arg(0).arg("switchboard:" + namespace + ":*"));
        })
        .eventually(redis::close)
        .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  @Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
  @DisplayName("the first POST /api/tasks after start (the notify channel not yet subscribed) and the ones after it are answered")
  void firstTaskAnswered(Vertx vertx, VertxTestContext testContext) {
    http = vertx.createHttpClient();
    int calls = 5;
    Checkpoint answered = testContext.checkpoint(calls);
    submit(calls, answered, testContext);
  }

  @Test
  @Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
  @DisplayName("the read-only API paths that answer from the shared client are answered too: queues, workers, schedules, workflows, tasks, metrics, cluster")
  void readPathsAnswered(Vertx vertx, VertxTestContext testContext) {
    http = vertx.createHttpClient();
    java.util.List<String> paths = java.util.List.of("/api/queues", "/api/workers", "/api/schedules", "/api/workflows",
        "/api/tasks", "/api/tasks/" + UUID.randomUUID(), "/metrics", "/api/cluster", "/health", "/api/routes");
    Checkpoint answered = testContext.checkpoint(paths.size());
    for (String path : paths) {
      // a per-request timeout names the path that was not answered, instead of the whole test timing out
      http.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(gateway.actualPort())
              .setURI(path).setIdleTimeout(20_000))
          .compose(request -> request.send())
          .recover(err -> Future.failedFuture(new AssertionError(path + ": " + err, err)))
          .compose(response -> response.body().map(body -> {
            // /metrics: 503 in a Vert.x without metrics, answered after the queue gauges' refresh from the client
            int expectedBelow = path.equals("/metrics") ? 504 : 500;
            testContext.verify(() -> assertTrue(response.statusCode() < expectedBelow,
                path + ": " + response.statusCode() + " " + body));
            return body;
          }))
          .onSuccess(body -> answered.flag())
          .onFailure(testContext::failNow);
    }
  }

  private void submit(int left, Checkpoint answered, VertxTestContext testContext) {
    if (left == 0) {
      return;
    }
    http.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(gateway.actualPort())
            .setURI("/api/tasks/strict.noop").putHeader("Content-Type", "application/json"))
        .compose(request -> request.send(new JsonObject().put("args", new io.vertx.core.json.JsonArray()).toBuffer()))
        .compose(response -> response.body().map(body -> {
          testContext.verify(() -> assertEquals(202, response.statusCode(), body.toString()));
          return body;
        }))
        .onSuccess(body -> {
          answered.flag();
          submit(left - 1, answered, testContext);
        })
        .onFailure(testContext::failNow);
  }
}

package dev.switchboard.deploy;

import dev.switchboard.shared.channels.ChannelLayerVerticle;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.consumers.ConsumersVerticle;
import dev.switchboard.gateway.GatewayVerticle;
import dev.switchboard.shared.config.SwitchboardConfig;
import dev.switchboard.worker.WorkerVerticle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("Tasks over HTTP and WebSocket, against a deployed gateway, consumers and worker on real Redis")
class TaskApiTest {

  private static final String REDIS_URL = System.getenv().getOrDefault("SWITCHBOARD_TEST_REDIS_URL", "redis://127.0.0.1:6379");

  private String namespace;
  private GatewayVerticle gateway;
  private HttpClient http;
  private WebSocketClient ws;
  private int port;
  private final List<String> deployments = new CopyOnWriteArrayList<>();

  @BeforeEach
  void deploy(Vertx vertx, VertxTestContext testContext) {
    namespace = "test-" + UUID.randomUUID().toString().substring(0, 8);
    JsonObject json = new JsonObject()
        .put("http", new JsonObject().put("port", 0).put("instances", 1).put("host", "127.0.0.1"))
        .put("redis", new JsonObject().put("url", REDIS_URL))
        .put("tasks", new JsonObject().put("namespace", namespace).put("schedulerIntervalMs", 20).put("pollIntervalMs", 100));
    JsonObject config = SwitchboardConfig.fromJson(json).toJson();
    gateway = GatewayVerticle.standalone();
    io.vertx.core.DeploymentOptions options = new io.vertx.core.DeploymentOptions().setConfig(config);
    vertx.deployVerticle(ChannelLayerVerticle.standalone(), options).onSuccess(deployments::add)
        .compose(v -> vertx.deployVerticle(ConsumersVerticle.standalone(), options).onSuccess(deployments::add))
        .compose(v -> vertx.deployVerticle(new WorkerVerticle(), options).onSuccess(deployments::add))
        .compose(v -> vertx.deployVerticle(gateway, options).onSuccess(deployments::add))
        .onSuccess(v -> {
          port = gateway.actualPort();
          http = vertx.createHttpClient();
          ws = vertx.createWebSocketClient();
        })
        .onComplete(testContext.succeedingThenComplete());
  }

  @AfterEach
  void clean(Vertx vertx, VertxTestContext testContext) {
    Redis redis = Redis.createClient(vertx, REDIS_URL);
    Future.join(deployments.stream().map(vertx::undeploy).toList())
        .compose(v -> redis.send(Request.cmd(Command.EVAL)
            .arg("for _, k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', k) end return 1")
            .arg(0).arg("switchboard:" + namespace + ":*")))
        .eventually(() -> {
          redis.close();
          return Future.succeededFuture();
        })
        .onComplete(testContext.succeedingThenComplete());
  }

  private record Reply(int status, String location, Buffer body) {
    JsonObject json() {
      return body.toJsonObject();
    }
  }

  private Future<Reply> call(HttpMethod method, String path, Buffer body) {
    return http.request(new RequestOptions().setMethod(method).putHeader("Content-Type", "application/json").setHost("127.0.0.1").setPort(port).setURI(path))
        .compose(request -> body == null ? request.send() : request.send(body))
        .compose(response -> response.body().map(bytes -> new Reply(response.statusCode(), location(response), bytes)));
  }

  private static String location(HttpClientResponse response) {
    return response.getHeader("Location");
  }

  private Future<String> submit(String name, JsonObject body) {
    return call(HttpMethod.POST, "/api/tasks/" + name, body.toBuffer()).map(reply -> {
      assertEquals(202, reply.status(), reply.body().toString());
      return reply.json().getString("id");
    });
  }

  private Future<JsonObject> awaitState(Vertx vertx, String id, String state, int attemptsLeft) {
    return call(HttpMethod.GET, "/api/tasks/" + id, null).compose(reply -> {
      if (reply.status() == 200 && state.equals(reply.json().getString("state"))) {
        return Future.succeededFuture(reply.json());
      }
      if (attemptsLeft <= 0) {
        return Future.failedFuture(new AssertionError("task " + id + " never reached " + state + ": " + reply.body()));
      }
      return vertx.timer(50).compose(v -> awaitState(vertx, id, state, attemptsLeft - 1));
    });
  }

  @Test
  @Timeout(10_000)
  @DisplayName("POST /api/tasks/add answers 202 with the id and a Location; GET there shows SUCCESS with result 5")
  void submitAndRead(Vertx vertx, VertxTestContext testContext) {
    call(HttpMethod.POST, "/api/tasks/add", new JsonObject().put("args", new JsonArray().add(2).add(3)).toBuffer())
        .compose(reply -> {
          testContext.verify(() -> {
            assertEquals(202, reply.status());
            String id = reply.json().getString("id");
            assertNotNull(id);
            assertEquals("/api/tasks/" + id, reply.location());
          });
          return awaitState(vertx, reply.json().getString("id"), "SUCCESS", 100);
        })
        .onComplete(testContext.succeeding(task -> testContext.verify(() -> {
          assertEquals(5, task.getInteger("result"));
          assertEquals("add", task.getString("name"));
          assertTrue(task.containsKey("error") && task.containsKey("progress"));
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(10_000)
  @DisplayName("Bad inputs: unknown task 404, malformed JSON 400, wrong arg count or type 400, bad option 400, unknown id 404, body over 1 MiB 413")
  void badInputs(VertxTestContext testContext) {
    Buffer huge = Buffer.buffer("{\"args\": [\"" + "x".repeat(1024 * 1024 + 10) + "\"]}");
    List<Future<Reply>> replies = List.of(
        call(HttpMethod.POST, "/api/tasks/nope", Buffer.buffer("{}")),
        call(HttpMethod.POST, "/api/tasks/add", Buffer.buffer("{\"args\": [1, ")),
        call(HttpMethod.POST, "/api/tasks/add", Buffer.buffer("{\"args\": [1]}")),
        call(HttpMethod.POST, "/api/tasks/add", Buffer.buffer("{\"args\": [1, \"two\"]}")),
        call(HttpMethod.POST, "/api/tasks/add", Buffer.buffer("{\"args\": [1, 2], \"options\": {\"priority\": 42}}")),
        call(HttpMethod.GET, "/api/tasks/no-such-id", null),
        call(HttpMethod.DELETE, "/api/tasks/no-such-id", null),
        call(HttpMethod.POST, "/api/tasks/add", huge));
    List<Integer> expected = List.of(404, 400, 400, 400, 400, 404, 404, 413);
    Future.all(replies).onComplete(testContext.succeeding(all -> testContext.verify(() -> {
      for (int i = 0; i < expected.size(); i++) {
        Reply reply = replies.get(i).result();
        assertEquals(expected.get(i), reply.status(), "case " + i + ": " + reply.body());
        JsonObject error = reply.json();
        assertEquals(expected.get(i), error.getInteger("status"));
        assertNotNull(error.getString("error"), "case " + i);
      }
      assertTrue(replies.get(1).result().json().getString("error").contains("malformed"));
      assertTrue(replies.get(2).result().json().getString("error").contains("missing argument"));
      testContext.completeNow();
    })));
  }

  @Test
  @Timeout(10_000)
  @DisplayName("DELETE /api/tasks/{id} revokes a delayed task: the state is REVOKED and stays so")
  void revokeOverHttp(Vertx vertx, VertxTestContext testContext) {
    submit("add", new JsonObject().put("args", new JsonArray().add(1).add(1))
        .put("options", new JsonObject().put("countdown", 0.5)))
        .compose(id -> call(HttpMethod.DELETE, "/api/tasks/" + id, null).compose(reply -> {
          testContext.verify(() -> {
            assertEquals(200, reply.status());
            assertEquals("REVOKED", reply.json().getString("state"));
          });
          return vertx.timer(800).compose(v -> call(HttpMethod.GET, "/api/tasks/" + id, null));
        }))
        .onComplete(testContext.succeeding(reply -> testContext.verify(() -> {
          assertEquals("REVOKED", reply.json().getString("state"));
          assertEquals(null, reply.json().getValue("result"));
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(15_000)
  @DisplayName("/ws/tasks/{id} streams the current state, each progress step and the result, then closes with 1000")
  void progressStream(VertxTestContext testContext) {
    List<JsonObject> frames = new CopyOnWriteArrayList<>();
    submit("long_running", new JsonObject().put("args", new JsonArray().add(2)))
        .compose(id -> ws.connect(port, "127.0.0.1", "/ws/tasks/" + id))
        .onComplete(testContext.succeeding(socket -> {
          socket.textMessageHandler(text -> frames.add(new JsonObject(text)));
          socket.closeHandler(v -> testContext.verify(() -> {
            assertEquals((short) 1000, socket.closeStatusCode());
            List<String> states = frames.stream().map(frame -> frame.getString("state")).toList();
            // the first frame is the snapshot at connect time: on a loaded machine that can already be PROGRESS 1/2
            assertTrue(List.of("PENDING", "STARTED", "PROGRESS").contains(states.get(0)), states.toString());
            assertEquals(List.of("PROGRESS", "PROGRESS", "SUCCESS"), states.subList(states.size() - 3, states.size()));
            assertEquals(1, frames.get(frames.size() - 3).getJsonObject("progress").getInteger("current"));
            assertEquals(2, frames.get(frames.size() - 2).getJsonObject("progress").getInteger("current"));
            assertEquals("Task finished!", frames.get(frames.size() - 1).getString("result"));
            testContext.completeNow();
          }));
        }));
  }

  @Test
  @Timeout(10_000)
  @DisplayName("A WebSocket opened after the task ended gets the final state at once, then 1000; an unknown id gets 1008")
  void lateWatcher(Vertx vertx, VertxTestContext testContext) {
    submit("add", new JsonObject().put("args", new JsonArray().add(20).add(22)))
        .compose(id -> awaitState(vertx, id, "SUCCESS", 100))
        .compose(task -> ws.connect(port, "127.0.0.1", "/ws/tasks/" + task.getString("id")))
        .onComplete(testContext.succeeding(socket -> {
          List<JsonObject> frames = new CopyOnWriteArrayList<>();
          socket.textMessageHandler(text -> frames.add(new JsonObject(text)));
          socket.closeHandler(v -> testContext.verify(() -> {
            assertEquals((short) 1000, socket.closeStatusCode());
            assertEquals(1, frames.size());
            assertEquals("SUCCESS", frames.get(0).getString("state"));
            assertEquals(42, frames.get(0).getInteger("result"));
            ws.connect(port, "127.0.0.1", "/ws/tasks/unknown-id").onComplete(testContext.succeeding(unknown ->
                unknown.closeHandler(x -> testContext.verify(() -> {
                  assertEquals((short) 1008, unknown.closeStatusCode());
                  testContext.completeNow();
                }))));
          }));
        }));
  }

  @Test
  @Timeout(10_000)
  @DisplayName("Times out of range are 400s, never 500 or a task run at once: ETA/expiry far away, a countdown of 9.3e15 s")
  void timesOutOfRange(VertxTestContext testContext) {
    List<String> options = List.of(
        "{\"eta\": \"+1000000000-01-01T00:00:00Z\"}",
        "{\"eta\": \"-999999999-01-01T00:00:00Z\"}",
        "{\"expires\": \"+1000000000-01-01T00:00:00Z\"}",
        "{\"countdown\": 9.3e15}",
        "{\"expires\": 1e300}",
        "{\"time_limit\": 1e12}",
        "{\"max_deliveries\": 0}");
    List<Future<Reply>> replies = options.stream().map(option -> call(HttpMethod.POST, "/api/tasks/add",
        Buffer.buffer("{\"args\": [1, 2], \"options\": " + option + "}"))).toList();
    Future.all(replies).onComplete(testContext.succeeding(all -> testContext.verify(() -> {
      for (int i = 0; i < options.size(); i++) {
        Reply reply = replies.get(i).result();
        assertEquals(400, reply.status(), options.get(i) + ": " + reply.body());
      }
      testContext.completeNow();
    })));
  }

  @Test
  @Timeout(10_000)
  @DisplayName("add is exact on integers of any size: 12345678901234567890123 + 9223372036854775807")
  void addBigIntegers(Vertx vertx, VertxTestContext testContext) {
    call(HttpMethod.POST, "/api/tasks/add", Buffer.buffer("{\"args\": [12345678901234567890123, 9223372036854775807]}"))
        .compose(reply -> awaitState(vertx, reply.json().getString("id"), "SUCCESS", 100))
        .onComplete(testContext.succeeding(task -> testContext.verify(() -> {
          assertEquals(new java.math.BigInteger("12345678901234567890123").add(java.math.BigInteger.valueOf(Long.MAX_VALUE)),
              new java.math.BigInteger(String.valueOf(task.getValue("result"))));
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(10_000)
  @DisplayName("GET /api/workers lists the live worker with its queues and slots; GET /api/queues the queue it consumed")
  void workersAndQueues(Vertx vertx, VertxTestContext testContext) {
    submit("add", new JsonObject().put("args", new JsonArray().add(1).add(1)))
        .compose(id -> awaitState(vertx, id, "SUCCESS", 100))
        .compose(done -> Future.all(call(HttpMethod.GET, "/api/workers", null), call(HttpMethod.GET, "/api/queues", null)))
        .onComplete(testContext.succeeding(all -> testContext.verify(() -> {
          Reply workers = all.resultAt(0);
          Reply queues = all.resultAt(1);
          assertEquals(200, workers.status(), workers.body().toString());
          JsonArray list = workers.json().getJsonArray("workers");
          assertEquals(1, list.size(), list.encode());
          JsonObject worker = list.getJsonObject(0);
          assertEquals(new JsonArray().add("default"), worker.getJsonArray("queues"));
          assertTrue(worker.getLong("concurrency") > 0 && worker.getLong("heartbeat") > 0, worker.encode());
          assertEquals(200, queues.status(), queues.body().toString());
          assertEquals("default", queues.json().getJsonArray("queues").getJsonObject(0).getString("queue"));
          assertTrue(queues.json().getJsonArray("queues").getJsonObject(0).getLong("enqueued") >= 1);
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(15_000)
  @DisplayName("POST /api/queues/default/pause holds a task PENDING (queue shown paused), DELETE .../tasks purges it (REVOKED), resume; unknown queue 404, bad name 400")
  void pauseAndPurge(Vertx vertx, VertxTestContext testContext) {
    JsonObject add = new JsonObject().put("args", new JsonArray().add(2).add(2));
    call(HttpMethod.POST, "/api/queues/default/pause", null)
        .compose(paused -> submit("add", add).compose(id -> call(HttpMethod.GET, "/api/queues", null)
            .compose(queues -> call(HttpMethod.DELETE, "/api/queues/default/tasks", null)
                .compose(purged -> call(HttpMethod.GET, "/api/tasks/" + id, null)
                    .compose(task -> call(HttpMethod.POST, "/api/queues/default/resume", null)
                        .compose(resumed -> Future.all(call(HttpMethod.POST, "/api/queues/nowhere/pause", null),
                            call(HttpMethod.DELETE, "/api/queues/bad%20queue/tasks", null)))
                        .map(refused -> List.of(paused, queues, purged, task, refused.<Reply>resultAt(0),
                            refused.<Reply>resultAt(1))))))))
        .onComplete(testContext.succeeding(replies -> testContext.verify(() -> {
          assertEquals(new JsonObject().put("queue", "default").put("paused", true).put("changed", true), replies.get(0).json());
          JsonObject queue = replies.get(1).json().getJsonArray("queues").getJsonObject(0);
          assertEquals(true, queue.getBoolean("paused"), queue.encode());
          assertEquals(1L, queue.getLong("depth"), queue.encode());
          assertEquals(new JsonObject().put("queue", "default").put("purged", 1), replies.get(2).json());
          assertEquals("REVOKED", replies.get(3).json().getString("state"));
          assertEquals(404, replies.get(4).status());
          assertTrue(replies.get(4).json().getString("error").contains("nowhere"), replies.get(4).body().toString());
          assertEquals(400, replies.get(5).status(), replies.get(5).body().toString());
          testContext.completeNow();
        })));
  }
}

package dev.switchboard.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.shared.config.PgSettings;
import dev.switchboard.shared.config.SwitchboardConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A PostgreSQL of the test's own (the embedded one, on a fixed port and data directory) is stopped and started
 * again under a running node; the machine's shared PostgreSQL is never touched.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("PostgreSQL stopped and restarted under a running node (embedded PostgreSQL of the test's own)")
class PostgresOutageTest {

  private PgSettings pgSettings;
  private EmbeddedPostgres postgres;
  private DataTesting.Node node;
  private final Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
  private String namespace;

  @BeforeEach
  void start(Vertx vertx, VertxTestContext testContext) throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    namespace = "test-" + UUID.randomUUID().toString().substring(0, 8);
    pgSettings = PgSettings.fromJson(new JsonObject().put("pg", new JsonObject()
        .put("embeddedDir", "target/pg-outage-" + UUID.randomUUID()).put("embeddedPort", port)));
    // the one start of the embedded default in this module: a real PostgreSQL 14, blocking, on the test thread
    postgres = EmbeddedPostgres.start(pgSettings);
    JsonObject config = SwitchboardConfig.fromJson(new JsonObject()
        .put("http", new JsonObject().put("port", 0).put("instances", 1).put("host", "127.0.0.1"))
        .put("redis", new JsonObject().put("url", DataTesting.REDIS_URL))
        .put("tasks", new JsonObject().put("namespace", namespace).put("pollIntervalMs", 100))
        .put("pg", pgSettings.toJson().put("url", postgres.url()).put("connectTimeoutMs", 1000).put("acquireTimeoutMs", 1000)))
        .toJson().put("roles", new io.vertx.core.json.JsonArray().add("gateway").add("consumers").add("worker"));
    DataTesting.Node.deploy(vertx, config, true).onSuccess(deployed -> node = deployed)
        .onComplete(testContext.succeedingThenComplete());
  }

  @AfterEach
  void stop(VertxTestContext testContext) {
    (node == null ? Future.<Void>succeededFuture() : node.undeploy())
        .onComplete(done -> {
          postgres.close();
          testContext.completeNow();
        });
  }

  private Future<DataTesting.Reply> post(String text) {
    return node.call(HttpMethod.POST, "/api/rooms/outage/messages", new JsonObject().put("message", text).toBuffer())
        .onSuccess(reply -> {
          if (reply.status() / 100 == 2) {
            acknowledged.add(reply.json().getLong("id"));
          }
        });
  }

  /** Repeats {@code call} every 100 ms until its reply passes {@code done}, at most {@code attempts} times. */
  private Future<DataTesting.Reply> until(Vertx vertx, java.util.function.Supplier<Future<DataTesting.Reply>> call,
      Predicate<DataTesting.Reply> done, int attempts, String what) {
    return call.get().compose(reply -> {
      if (done.test(reply)) {
        return Future.succeededFuture(reply);
      }
      if (attempts <= 1) {
        return Future.failedFuture(new AssertionError(what + ": last reply " + reply.status() + " " + reply.body()));
      }
      return vertx.timer(100).compose(t -> until(vertx, call, done, attempts - 1, what));
    });
  }

  private static JsonObject pgCheck(DataTesting.Reply health) {
    return health.json().getJsonArray("checks").stream().map(JsonObject.class::cast)
        .filter(check -> "pg".equals(check.getString("id"))).findFirst().orElseThrow();
  }

  private Future<String> echo(Vertx vertx, String text) {
    Promise<String> answer = Promise.promise();
    // closed explicitly: that keeps it reachable (Vert.x closes a client the GC finds unreferenced)
    io.vertx.core.http.WebSocketClient client = vertx.createWebSocketClient();
    return client.connect(node.port(), "127.0.0.1", "/ws/echo").compose(socket -> {
      socket.textMessageHandler(answer::tryComplete);
      return socket.writeTextMessage(text).compose(v -> answer.future()).eventually(socket::close);
    }).eventually(client::close);
  }

  /** Joins a room while PostgreSQL is down and says something: the frames received (broadcast and warning). */
  private Future<List<String>> liveChat(Vertx vertx) {
    return RoomClient.connect(vertx, node.port(), "/ws/chat/outage")
        .compose(member -> member.send("{\"message\": \"live while down\"}")
            .compose(v -> member.first(2))
            .eventually(member::close));
  }

  private Future<JsonObject> runTask(Vertx vertx) {
    return node.call(HttpMethod.POST, "/api/tasks/add", new JsonObject().put("args", new JsonArray().add(2).add(3)).toBuffer())
        .compose(submitted -> {
          assertEquals(202, submitted.status(), submitted.body().toString());
          String id = submitted.json().getString("id");
          return until(vertx, () -> node.call(HttpMethod.GET, "/api/tasks/" + id, null),
              reply -> "SUCCESS".equals(reply.json().getString("state")), 100, "task " + id);
        })
        .map(DataTesting.Reply::json);
  }

  @Test
  @Timeout(60_000)
  @DisplayName("down: /health 503 with pg DOWN, rooms API 503 with a message, echo, live chat and tasks still work; "
      + "back: recovers by itself, and every message acknowledged with 201 is there")
  void outageAndRecovery(Vertx vertx, VertxTestContext testContext) {
    post("before the outage")
        .compose(before -> {
          testContext.verify(() -> assertEquals(201, before.status(), before.body().toString()));
          return vertx.executeBlocking(() -> {
            postgres.close(); // stops PostgreSQL (blocking, on a worker thread)
            return null;
          });
        })
        .compose(v -> until(vertx, () -> node.call(HttpMethod.GET, "/health", null), reply -> reply.status() == 503, 100,
            "health never went 503"))
        .compose(health -> {
          testContext.verify(() -> assertEquals("DOWN", pgCheck(health).getString("status"), health.body().toString()));
          return Future.all(post("during the outage"), node.call(HttpMethod.GET, "/api/rooms/outage/messages", null));
        })
        .compose(down -> {
          testContext.verify(() -> {
            for (int i = 0; i < 2; i++) {
              DataTesting.Reply reply = down.resultAt(i);
              assertEquals(503, reply.status(), reply.body().toString());
              assertTrue(reply.json().getString("error").startsWith("chat history is unavailable: PostgreSQL did not answer"),
                  reply.body().toString());
            }
          });
          return echo(vertx, "still here");
        })
        .compose(echoed -> {
          testContext.verify(() -> assertEquals("STILL HERE", echoed));
          return liveChat(vertx);
        })
        .compose(frames -> {
          testContext.verify(() -> {
            JsonObject broadcast = frames.stream().map(JsonObject::new).filter(f -> f.containsKey("message")).findFirst().orElseThrow();
            assertEquals("live while down", broadcast.getString("message"));
            assertTrue(frames.stream().map(JsonObject::new).anyMatch(f -> f.getString("warning", "").startsWith("message not stored")),
                frames.toString());
          });
          return runTask(vertx);
        })
        .compose(task -> {
          testContext.verify(() -> assertEquals(5, task.getInteger("result")));
          return vertx.executeBlocking(() -> {
            postgres = EmbeddedPostgres.start(pgSettings); // same port, same data directory
            return null;
          });
        })
        .compose(v -> until(vertx, () -> post("after the outage"), reply -> reply.status() == 201, 100,
            "POST never recovered"))
        .compose(v -> until(vertx, () -> node.call(HttpMethod.GET, "/health", null), reply -> reply.status() == 200, 50,
            "health never recovered"))
        .compose(v -> node.call(HttpMethod.GET, "/api/rooms/outage/messages?limit=200", null))
        .onComplete(testContext.succeeding(all -> testContext.verify(() -> {
          assertEquals(200, all.status());
          Set<Long> stored = new HashSet<>();
          List<String> texts = all.json().getJsonArray("messages").stream().map(JsonObject.class::cast)
              .peek(m -> stored.add(m.getLong("id"))).map(m -> m.getString("message")).toList();
          assertEquals(acknowledged, stored, "exactly the acknowledged messages are stored");
          assertEquals("before the outage", texts.get(0));
          assertEquals("after the outage", texts.get(texts.size() - 1));
          testContext.completeNow();
        })));
  }
}

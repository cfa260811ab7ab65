package dev.switchboard.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.shared.config.SwitchboardConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("The rooms API, an HTTP consumer relayed by the gateway, on the machine's PostgreSQL in a fresh database")
class RoomApiTest {

  private static String url;
  private DataTesting.Node node;
  private final List<RoomClient> clients = new java.util.concurrent.CopyOnWriteArrayList<>();

  @BeforeAll
  static void createDatabase(Vertx vertx, VertxTestContext testContext) {
    DataTesting.createDatabase(vertx).onSuccess(created -> url = created).onComplete(testContext.succeedingThenComplete());
  }

  @AfterAll
  static void dropDatabase(Vertx vertx, VertxTestContext testContext) {
    DataTesting.dropDatabase(vertx, url).onComplete(testContext.succeedingThenComplete());
  }

  private final String secret = UUID.randomUUID().toString() + UUID.randomUUID();
  /** Tokens by subject: the rooms API takes the author from the verified token. */
  private final Map<String, String> tokens = new java.util.HashMap<>();

  private String token(Vertx vertx, String subject) {
    return tokens.computeIfAbsent(subject, s -> JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(
            new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret)))
        .generateToken(new JsonObject().put("sub", s), new JWTOptions().setExpiresInSeconds(300)));
  }

  @BeforeEach
  void deploy(Vertx vertx, VertxTestContext testContext) {
    JsonObject config = SwitchboardConfig.fromJson(new JsonObject()
        .put("http", new JsonObject().put("port", 0).put("instances", 1).put("host", "127.0.0.1"))
        .put("auth", new JsonObject().put("jwtSecret", secret).put("protect", new JsonArray().add("/api/rooms"))
            .put("public", new JsonArray().add("/ws")))
        .put("pg", new JsonObject().put("url", url))).toJson()
        .put("roles", new JsonArray().add("gateway").add("consumers"));
    ada = token(vertx, "ada");
    DataTesting.Node.deploy(vertx, config, false).onSuccess(deployed -> node = deployed)
        .onComplete(testContext.succeedingThenComplete());
  }

  @AfterEach
  void undeploy(VertxTestContext testContext) {
    Future.all(clients.stream().map(RoomClient::close).toList())
        .transform(v -> node.undeploy())
        .onComplete(testContext.succeedingThenComplete());
  }

  private String ada;

  /** Posts as ada. */
  private Future<DataTesting.Reply> post(String room, JsonObject body) {
    return post(room, body, ada);
  }

  private Future<DataTesting.Reply> post(String room, JsonObject body, String token) {
    return node.call(HttpMethod.POST, "/api/rooms/" + room + "/messages", body.toBuffer(), token);
  }

  private Future<DataTesting.Reply> get(String room, String query) {
    return node.call(HttpMethod.GET, "/api/rooms/" + room + "/messages" + query, null, ada);
  }

  private static List<String> texts(DataTesting.Reply reply) {
    return reply.json().getJsonArray("messages").stream().map(m -> ((JsonObject) m).getString("message")).toList();
  }

  @Test
  @Timeout(10_000)
  @DisplayName("POST stores and answers 201 with the message, then broadcasts it to the room's members; GET pages back with next")
  void postThenPage(Vertx vertx, VertxTestContext testContext) {
    List<JsonObject> published = new java.util.concurrent.CopyOnWriteArrayList<>();
    RoomClient.connect(vertx, node.port(), "/ws/chat/lobby")
        .compose(member -> {
          clients.add(member);
          Future<?> chain = Future.succeededFuture();
          for (int i = 1; i <= 5; i++) {
            JsonObject body = new JsonObject().put("message", "hello " + i).put("user", "ada");
            chain = chain.compose(x -> post("lobby", body).map(reply -> {
              testContext.verify(() -> {
                assertEquals(201, reply.status(), reply.body().toString());
                assertEquals("lobby", reply.json().getString("room"));
                assertEquals("ada", reply.json().getString("user"));
                assertNotNull(reply.json().getLong("id"));
                assertNotNull(reply.json().getLong("ts"));
              });
              return reply;
            }));
          }
          return chain.compose(v -> member.first(5))
              .onSuccess(frames -> frames.forEach(frame -> published.add(new JsonObject(frame))));
        })
        .compose(v -> get("lobby", "?limit=2"))
        .compose(newest -> {
          testContext.verify(() -> {
            assertEquals(200, newest.status());
            assertEquals(List.of("hello 4", "hello 5"), texts(newest));
            assertEquals(5, published.size(), "every stored message was broadcast to the room");
            assertEquals("hello 5", published.get(4).getString("message"));
            assertEquals(newest.json().getJsonArray("messages").getJsonObject(1), published.get(4), "broadcast as stored");
          });
          return get("lobby", "?limit=10&before=" + newest.json().getLong("next"));
        })
        .compose(older -> {
          testContext.verify(() -> {
            assertEquals(List.of("hello 1", "hello 2", "hello 3"), texts(older));
            assertNull(older.json().getValue("next"));
          });
          return get("lobby", "");
        })
        .onComplete(testContext.succeeding(all -> testContext.verify(() -> {
          assertEquals(5, texts(all).size(), "the default limit covers them all");
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(20_000)
  @DisplayName("a member joining /ws/chat/{room} first gets the last 50 messages marked history, oldest first, then live ones, which are stored")
  void historyThenLive(Vertx vertx, VertxTestContext testContext) {
    Future<?> chain = Future.succeededFuture();
    for (int i = 1; i <= 55; i++) {
      JsonObject body = new JsonObject().put("message", "old " + i);
      chain = chain.compose(x -> post("joining", body));
    }
    chain.compose(v -> RoomClient.connect(vertx, node.port(), "/ws/chat/joining"))
        .compose(member -> {
          clients.add(member);
          return member.first(50)
              .compose(history -> member.send("{\"message\": \"live one\"}").compose(v -> member.first(51)));
        })
        .compose(frames -> {
          testContext.verify(() -> {
            List<JsonObject> json = frames.stream().map(JsonObject::new).toList();
            for (int i = 0; i < 50; i++) {
              assertEquals("old " + (i + 6), json.get(i).getString("message"), "history in order");
              assertEquals(true, json.get(i).getBoolean("history"));
            }
            JsonObject live = json.get(50);
            assertEquals("live one", live.getString("message"));
            assertNull(live.getValue("history"));
            assertNotNull(live.getLong("id"), "stored before it was broadcast");
          });
          return get("joining", "?limit=1");
        })
        .onComplete(testContext.succeeding(last -> testContext.verify(() -> {
          assertEquals(List.of("live one"), texts(last));
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(10_000)
  @DisplayName("a message and user (the token's subject) that look like SQL injection are stored and served back verbatim")
  void injectionVerbatim(Vertx vertx, VertxTestContext testContext) {
    String message = "x'); DELETE FROM chat_messages; -- \" \\ ; #{limit} $1";
    String user = "admin'--";
    post("verbatim", new JsonObject().put("message", message), token(vertx, user))
        .compose(v -> get("verbatim", "?limit=1"))
        .onComplete(testContext.succeeding(reply -> testContext.verify(() -> {
          JsonObject stored = reply.json().getJsonArray("messages").getJsonObject(0);
          assertEquals(message, stored.getString("message"));
          assertEquals(user, stored.getString("user"));
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(10_000)
  @DisplayName("the author is the token's subject: a body user claiming someone else is refused with 403, without a token 401; nothing is stored")
  void authorIsTheSubject(Vertx vertx, VertxTestContext testContext) {
    Future<DataTesting.Reply> claimsOther = post("authors", new JsonObject().put("message", "hi").put("user", "grace"));
    Future<DataTesting.Reply> repeatsSelf = post("authors", new JsonObject().put("message", "me").put("user", "ada"));
    Future<DataTesting.Reply> asGrace = post("authors", new JsonObject().put("message", "grace here"), token(vertx, "grace"));
    Future<DataTesting.Reply> noToken = post("authors", new JsonObject().put("message", "who?"), null);
    Future.all(claimsOther, repeatsSelf, asGrace, noToken)
        .compose(all -> {
          testContext.verify(() -> {
            assertEquals(403, claimsOther.result().status(), claimsOther.result().body().toString());
            assertTrue(claimsOther.result().json().getString("error").contains("authenticated"));
            assertEquals(201, repeatsSelf.result().status(), repeatsSelf.result().body().toString());
            assertEquals("ada", repeatsSelf.result().json().getString("user"));
            assertEquals("grace", asGrace.result().json().getString("user"));
            assertEquals(401, noToken.result().status());
          });
          return get("authors", "");
        })
        .onComplete(testContext.succeeding(reply -> testContext.verify(() -> {
          List<String> authors = reply.json().getJsonArray("messages").stream().map(m -> ((JsonObject) m).getString("user")).sorted().toList();
          assertEquals(List.of("ada", "grace"), authors);
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(10_000)
  @DisplayName("bad parameters and bodies answer 400 with a JSON error; nothing is stored")
  void badInput(VertxTestContext testContext) {
    String injected = URLEncoder.encode("1 OR 1=1; DROP TABLE chat_messages", StandardCharsets.UTF_8);
    List<Future<DataTesting.Reply>> replies = List.of(
        get("bad", "?limit=0"),
        get("bad", "?limit=201"),
        get("bad", "?limit=ten"),
        get("bad", "?before=-4"),
        get("bad", "?before=" + injected),
        get("bad", "?limit=5&limit=6"),
        get("bad%20room", ""),
        node.call(HttpMethod.POST, "/api/rooms/bad/messages", Buffer.buffer("{\"message\": "), ada),
        post("bad", new JsonObject().put("message", 42)),
        post("bad", new JsonObject().put("message", "hi").put("admin", true)),
        post("bad", new JsonObject().put("message", "x".repeat(4097))),
        post("bad", new JsonObject().put("message", "nul\u0000")));
    Future.all(replies)
        .compose(all -> {
          testContext.verify(() -> {
            for (int i = 0; i < replies.size(); i++) {
              DataTesting.Reply reply = replies.get(i).result();
              assertEquals(400, reply.status(), "case " + i + ": " + reply.body());
              assertEquals(400, reply.json().getInteger("status"));
              assertTrue(!reply.json().getString("error").isBlank(), "case " + i);
            }
            assertTrue(replies.get(1).result().json().getString("error").contains("1 to 200"));
          });
          return get("bad", "");
        })
        .onComplete(testContext.succeeding(reply -> testContext.verify(() -> {
          assertEquals(new JsonArray(), reply.json().getJsonArray("messages"));
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(10_000)
  @DisplayName("/health reports PostgreSQL UP with the migrations applied")
  void health(VertxTestContext testContext) {
    node.call(HttpMethod.GET, "/health", null, ada).onComplete(testContext.succeeding(reply -> testContext.verify(() -> {
      assertEquals(200, reply.status(), reply.body().toString());
      JsonObject pg = reply.json().getJsonArray("checks").stream().map(JsonObject.class::cast)
          .filter(check -> "pg".equals(check.getString("id"))).findFirst().orElseThrow();
      assertEquals("UP", pg.getString("status"));
      testContext.completeNow();
    })));
  }
}

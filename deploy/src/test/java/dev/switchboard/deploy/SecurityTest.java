package dev.switchboard.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.consumers.ConsumersVerticle;
import dev.switchboard.gateway.GatewayVerticle;
import dev.switchboard.gateway.TcpBridgeVerticle;
import dev.switchboard.shared.channels.ChannelLayerVerticle;
import dev.switchboard.shared.config.SwitchboardConfig;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
@DisplayName("Authentication and authorization at the gateway: JWT, Origin, bridges")
class SecurityTest {

  private static final String ALLOWED_ORIGIN = "https://app.example";

  private final String secret = randomSecret();
  private int httpPort;
  private int bridgePort;
  private WebClient web;
  private WebSocketClient ws;
  // a field: Vert.x closes an unreachable client (a Cleaner), and with it the sockets and requests using it
  private NetClient net;
  private Map<String, String> badTokens;
  private String alice;

  @BeforeEach
  void deploy(Vertx vertx, VertxTestContext testContext) {
    JsonObject config = SwitchboardConfig.fromJson(new JsonObject()
        .put("http", new JsonObject().put("port", 0).put("instances", 1).put("host", "127.0.0.1"))
        .put("auth", new JsonObject().put("jwtSecret", secret)
            .put("protect", new JsonArray().add("/ws/chat/").add("/api/tasks/").add("/eventbus/").add("tcp-bridge"))
            .put("public", new JsonArray().add("/ws/echo")))
        .put("websocket", new JsonObject().put("allowedOrigins", new JsonArray().add(ALLOWED_ORIGIN)))
        .put("sockjsBridge", new JsonObject().put("outbound", new JsonArray().add("sockjs.out.news")))
        .put("tcpBridge", new JsonObject().put("port", 0).put("outbound", new JsonArray().add("polyglot.out.news")))
        .put("roles", new JsonArray().add("gateway").add("consumers"))).toJson();
    DeploymentOptions options = new DeploymentOptions().setConfig(config);
    JWTAuth issuer = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(hs256(secret)));
    JWTAuth stranger = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(hs256(randomSecret())));
    alice = issuer.generateToken(new JsonObject().put("sub", "alice"), new JWTOptions().setExpiresInSeconds(300));
    long now = System.currentTimeMillis() / 1000;
    badTokens = Map.of(
        "expired", issuer.generateToken(new JsonObject().put("sub", "alice").put("iat", now - 600).put("exp", now - 300), new JWTOptions()),
        "wrongly signed", stranger.generateToken(new JsonObject().put("sub", "alice"), new JWTOptions().setExpiresInSeconds(300)),
        "forged payload", forge(alice, new JsonObject().put("sub", "mallory").put("exp", now + 300)),
        "alg none", unsigned(new JsonObject().put("sub", "mallory").put("exp", now + 300)),
        "garbage", "not.a.token");
    GatewayVerticle gateway = GatewayVerticle.standalone();
    TcpBridgeVerticle bridge = TcpBridgeVerticle.standalone();
    web = WebClient.create(vertx);
    ws = vertx.createWebSocketClient();
    net = vertx.createNetClient();
    vertx.deployVerticle(ChannelLayerVerticle.standalone(), options)
        .compose(v -> vertx.deployVerticle(ConsumersVerticle.standalone(), options))
        .compose(v -> vertx.deployVerticle(gateway, options))
        .compose(v -> vertx.deployVerticle(bridge, options))
        .onSuccess(v -> {
          httpPort = gateway.actualPort();
          bridgePort = bridge.actualPort();
        })
        .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  @DisplayName("the task API answers 401 without a token and for an expired, wrongly signed or forged one; a valid token passes")
  void httpApiNeedsValidToken(VertxTestContext testContext) {
    Future<Integer> none = postTask(null);
    Future<Map<String, Integer>> bad = statuses(badTokens, this::postTask);
    Future<Integer> valid = postTask(alice);
    Future.all(none, bad, valid).onComplete(testContext.succeeding(v -> testContext.verify(() -> {
      assertEquals(401, none.result());
      bad.result().forEach((kind, status) -> assertEquals(401, status, kind));
      assertEquals(503, valid.result(), "past authentication: no Redis configured in this test");
      testContext.completeNow();
    })));
  }

  @Test
  @DisplayName("a protected WebSocket route refuses the handshake with 401 without a token and for a bad one")
  void websocketNeedsValidToken(VertxTestContext testContext) {
    Future<Integer> none = wsStatus("/ws/chat/lobby", null);
    Future<Map<String, Integer>> bad = statuses(badTokens, token -> wsStatus("/ws/chat/lobby?token=" + token, null));
    Future<Map<String, Integer>> badOnPublic = statuses(badTokens, token -> wsStatus("/ws/echo?token=" + token, null));
    Future<Integer> publicWithout = wsStatus("/ws/echo", null);
    Future.all(none, bad, badOnPublic, publicWithout).onComplete(testContext.succeeding(v -> testContext.verify(() -> {
      assertEquals(401, none.result());
      bad.result().forEach((kind, status) -> assertEquals(401, status, kind));
      badOnPublic.result().forEach((kind, status) -> assertEquals(401, status, "public route, presented token " + kind));
      assertEquals(101, publicWithout.result(), "the echo route is public");
      testContext.completeNow();
    })));
  }

  @Test
  @DisplayName("chat's user is the token's subject, whatever the client's JSON says")
  void chatUserComesFromToken(VertxTestContext testContext) {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setPort(httpPort).setHost("127.0.0.1")
        .setURI("/ws/chat/lobby").addHeader("Authorization", "Bearer " + alice).setAllowOriginHeader(false);
    ws.connect(options).onComplete(testContext.succeeding(socket -> {
      socket.textMessageHandler(text -> testContext.verify(() -> {
        JsonObject broadcast = new JsonObject(text);
        assertEquals("alice", broadcast.getString("user"), text);
        assertEquals("hi", broadcast.getString("message"));
        testContext.completeNow();
      }));
      socket.writeTextMessage(new JsonObject().put("message", "hi").put("user", "mallory").encode());
    }));
  }

  @Test
  @DisplayName("a WebSocket from a foreign Origin is refused with 403 before the upgrade; a configured origin passes, "
      + "and the request's own Host is no reference")
  void foreignOriginRefused(VertxTestContext testContext) {
    Future<Integer> foreign = wsStatus("/ws/echo", "https://evil.example");
    Future<Integer> nullOrigin = wsStatus("/ws/echo", "null");
    Future<Integer> allowed = wsStatus("/ws/echo", ALLOWED_ORIGIN);
    Future<Integer> same = wsStatus("/ws/echo", "http://127.0.0.1:" + httpPort);
    Future.all(foreign, nullOrigin, allowed, same).onComplete(testContext.succeeding(v -> testContext.verify(() -> {
      assertEquals(403, foreign.result());
      assertEquals(403, nullOrigin.result());
      assertEquals(101, allowed.result());
      assertEquals(403, same.result(), "not configured, though it names the Host: only allowedOrigins count once set");
      testContext.completeNow();
    })));
  }

  @Test
  @DisplayName("the SockJS bridge needs a token, refuses a foreign Origin, and denies addresses not permitted")
  void sockJsBridge(Vertx vertx, VertxTestContext testContext) {
    String session = "/eventbus/000/" + Long.toHexString(System.nanoTime());
    Future<Integer> noToken = web.get(httpPort, "127.0.0.1", "/eventbus/info").send().map(HttpResponse::statusCode);
    Future<Integer> foreign = web.get(httpPort, "127.0.0.1", "/eventbus/info?token=" + alice)
        .putHeader("Origin", "https://evil.example").send().map(HttpResponse::statusCode);
    Future<Integer> badToken = web.get(httpPort, "127.0.0.1", "/eventbus/info?token=" + badTokens.get("wrongly signed"))
        .send().map(HttpResponse::statusCode);
    StringBuilder trace = new StringBuilder();
    Future<String> frames = web.post(httpPort, "127.0.0.1", session + "/xhr?token=" + alice).send()
        .compose(open -> {
          trace.append(open.statusCode()).append(' ').append(open.bodyAsString()).append(" | ");
          return sockJsSend(session, new JsonObject().put("type", "register").put("address", "switchboard.channel.x"));
        })
        .compose(sent -> {
          trace.append(sent.statusCode()).append(' ').append(sent.bodyAsString()).append(" | ");
          return sockJsSend(session, new JsonObject().put("type", "register").put("address", "sockjs.out.news"));
        })
        .compose(sent -> web.post(httpPort, "127.0.0.1", session + "/xhr?token=" + alice).send())
        .map(response -> trace + response.bodyAsString());
    Future.all(noToken, foreign, badToken, frames).onComplete(testContext.succeeding(v -> testContext.verify(() -> {
      assertEquals(401, noToken.result());
      assertEquals(403, foreign.result());
      assertEquals(401, badToken.result());
      String received = frames.result();
      assertTrue(received.contains("access_denied"), received);
      assertEquals(1, received.split("access_denied", -1).length - 1, "only the unpermitted register is denied: " + received);
      testContext.completeNow();
    })));
  }

  @Test
  @DisplayName("a protected TCP bridge closes a connection that skips authentication or brings a bad token")
  void tcpBridgeNeedsToken(Vertx vertx, VertxTestContext testContext) {
    Future<Void> skipped = closedAfter(vertx, new JsonObject().put("type", "register").put("address", "polyglot.out.news"));
    Future<Void> badToken = closedAfter(vertx, new JsonObject().put("type", "ping")
        .put("headers", new JsonObject().put("authorization", "Bearer " + badTokens.get("expired"))));
    Future<JsonArray> good = net.connect(bridgePort, "127.0.0.1").compose(socket -> {
      PolyglotBridgeTest.BridgeFrames frames = new PolyglotBridgeTest.BridgeFrames(socket);
      frames.write(new JsonObject().put("type", "ping").put("headers", new JsonObject().put("authorization", "Bearer " + alice)));
      return frames.collectUntilPong().compose(first -> {
        frames.write(new JsonObject().put("type", "register").put("address", "polyglot.out.news"));
        frames.write(new JsonObject().put("type", "register").put("address", "polyglot.secret"));
        frames.write(new JsonObject().put("type", "ping"));
        return frames.collectUntilPong();
      }).eventually(socket::close);
    });
    Future.all(skipped, badToken, good).onComplete(testContext.succeeding(v -> testContext.verify(() -> {
      assertEquals(1, good.result().size(), "only the unpermitted register is refused: " + good.result());
      assertEquals("access_denied", good.result().getJsonObject(0).getString("message"));
      testContext.completeNow();
    })));
  }

  @Test
  @DisplayName("a token minted by clients/python/mint_token.py (the README's bridge example) from the key file opens the protected TCP bridge")
  void mintedTokenOpensBridge(Vertx vertx, VertxTestContext testContext, @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    java.nio.file.Path keyFile = dir.resolve("jwt");
    java.nio.file.Files.writeString(keyFile, secret + "\n");
    String token;
    try (ScriptRun mint = ScriptRun.start(List.of("python3", "python/mint_token.py", "--secret-file", keyFile.toString(),
        "--sub", "py-echo", "--ttl", "600"))) {
      assertEquals(0, mint.awaitExit(20), mint.output());
      token = mint.output().trim();
    }
    net.connect(bridgePort, "127.0.0.1").compose(socket -> {
      PolyglotBridgeTest.BridgeFrames frames = new PolyglotBridgeTest.BridgeFrames(socket);
      frames.write(new JsonObject().put("type", "ping").put("headers", new JsonObject().put("authorization", "Bearer " + token)));
      return frames.collectUntilPong().compose(first -> {
        frames.write(new JsonObject().put("type", "register").put("address", "polyglot.out.news"));
        frames.write(new JsonObject().put("type", "ping"));
        return frames.collectUntilPong();
      }).eventually(socket::close);
    }).onComplete(testContext.succeeding(frames -> testContext.verify(() -> {
      assertTrue(frames.isEmpty(), "the register of a permitted address was refused: " + frames);
      testContext.completeNow();
    })));
  }

  private Future<Void> closedAfter(Vertx vertx, JsonObject frame) {
    return net.connect(bridgePort, "127.0.0.1").compose(socket -> {
      io.vertx.core.Promise<Void> closed = io.vertx.core.Promise.promise();
      new PolyglotBridgeTest.BridgeFrames(socket);
      socket.closeHandler(v -> closed.complete());
      Buffer json = frame.toBuffer();
      socket.write(Buffer.buffer().appendInt(json.length()).appendBuffer(json));
      return closed.future();
    });
  }

  private Future<HttpResponse<Buffer>> sockJsSend(String session, JsonObject frame) {
    return web.post(httpPort, "127.0.0.1", session + "/xhr_send?token=" + alice)
        .sendBuffer(Buffer.buffer(new JsonArray().add(frame.encode()).encode()));
  }

  private Future<Integer> postTask(String token) {
    var request = web.post(httpPort, "127.0.0.1", "/api/tasks/add");
    if (token != null) {
      request.putHeader("Authorization", "Bearer " + token);
    }
    return request.sendJsonObject(new JsonObject().put("args", new JsonArray().add(1).add(2))).map(HttpResponse::statusCode);
  }

  /** 101 when upgraded (and closes the socket), else the refusal's HTTP status. */
  private Future<Integer> wsStatus(String uri, String origin) {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setPort(httpPort).setHost("127.0.0.1").setURI(uri);
    if (origin != null) {
      options.addHeader("Origin", origin);
    } else {
      options.setAllowOriginHeader(false); // a non-browser client: Vert.x would otherwise name the target as Origin
    }
    return ws.connect(options)
        .compose(socket -> socket.close().map(101))
        .recover(err -> err instanceof UpgradeRejectedException rejected
            ? Future.succeededFuture(rejected.getStatus()) : Future.failedFuture(err));
  }

  private static Future<Map<String, Integer>> statuses(Map<String, String> tokens, java.util.function.Function<String, Future<Integer>> call) {
    Map<String, Future<Integer>> calls = new java.util.HashMap<>();
    tokens.forEach((kind, token) -> calls.put(kind, call.apply(token)));
    return Future.all(List.copyOf(calls.values())).map(v -> {
      Map<String, Integer> results = new java.util.HashMap<>();
      calls.forEach((kind, future) -> results.put(kind, future.result()));
      return results;
    });
  }

  private static PubSecKeyOptions hs256(String key) {
    return new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(key);
  }

  private static String randomSecret() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** The valid token's header and signature around another payload. */
  private static String forge(String token, JsonObject claims) {
    String[] parts = token.split("\\.");
    return parts[0] + "." + base64(claims.encode()) + "." + parts[2];
  }

  private static String unsigned(JsonObject claims) {
    return base64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + base64(claims.encode()) + ".";
  }

  private static String base64(String text) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }
}

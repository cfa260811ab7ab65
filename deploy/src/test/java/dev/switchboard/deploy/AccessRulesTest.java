package dev.switchboard.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.api.protocol.Asgi;
import dev.switchboard.consumers.ConsumersVerticle;
import dev.switchboard.gateway.GatewayVerticle;
import dev.switchboard.shared.routes.Route;
import dev.switchboard.shared.routes.RouteAnnouncer;
import dev.switchboard.shared.channels.ChannelLayerVerticle;
import dev.switchboard.shared.channels.EventBusChannelLayer;
import dev.switchboard.shared.config.SwitchboardConfig;
import dev.switchboard.shared.protocol.Addresses;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The audit's findings on the gateway's door, each as the request that got through: protect-list prefixes (3),
 * channel names handed out (4), CSRF (6), Origin judged by the client's own Host (7), token smuggling (8).
 * The gateway runs with the README's example configuration of the time: a JWT secret, {@code /api/tasks/}
 * protected with its trailing slash, and nothing else said.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
@DisplayName("The gateway's access rules hold against the audit's requests")
class AccessRulesTest {

  private int port;
  private WebClient web;
  private WebSocketClient ws;
  private JWTAuth issuer;
  private String alice;

  @BeforeEach
  void deploy(Vertx vertx, VertxTestContext testContext) {
    String secret = randomSecret();
    JsonObject config = SwitchboardConfig.fromJson(new JsonObject()
        .put("http", new JsonObject().put("port", 0).put("instances", 1).put("host", "127.0.0.1")
            .put("allowedHosts", new JsonArray().add("gateway-1").add(".svc.cluster.local")))
        .put("auth", new JsonObject().put("jwtSecret", secret).put("protect", new JsonArray().add("/api/tasks/"))
            .put("public", new JsonArray().add("/api/ping").add("/ws/echo").add("/ws/scope")))
        .put("roles", new JsonArray().add("gateway").add("consumers"))).toJson();
    DeploymentOptions options = new DeploymentOptions().setConfig(config);
    issuer = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret)));
    alice = issuer.generateToken(new JsonObject().put("sub", "alice"), new JWTOptions().setExpiresInSeconds(300));
    GatewayVerticle gateway = GatewayVerticle.standalone();
    web = WebClient.create(vertx);
    ws = vertx.createWebSocketClient();
    vertx.eventBus().<JsonObject>consumer(Addresses.consumer("scope"), AccessRulesTest::echoScope);
    vertx.deployVerticle(ChannelLayerVerticle.standalone(), options)
        .compose(v -> vertx.deployVerticle(ConsumersVerticle.standalone(), options))
        .compose(v -> new RouteAnnouncer(vertx, "test").announce(List.of(Route.websocket("/ws/scope", "scope"))))
        .compose(v -> vertx.deployVerticle(gateway, options))
        .onSuccess(v -> port = gateway.actualPort())
        .onComplete(testContext.succeedingThenComplete());
  }

  /** A consumer that accepts and sends the connection its own connect scope's query, as it received it. */
  private static void echoScope(Message<JsonObject> message) {
    String channel = message.body().getString(Asgi.CHANNEL);
    String query = message.body().getString("query");
    String instance = "test.scope." + channel;
    message.reply(new JsonObject().put(Asgi.TYPE, Asgi.ACCEPT).put(Asgi.INSTANCE, instance).put(Asgi.NODE, "test"));
    new EventBusChannelLayer(Vertx.currentContext().owner(), 5000).send(channel, Asgi.sendText(query));
  }

  @Test
  @DisplayName("with a JWT secret every path but /health and those listed public needs a token, matched by path segment")
  void protectedByDefault(VertxTestContext testContext) {
    Map<String, Future<Integer>> calls = new LinkedHashMap<>();
    for (String path : List.of("/api/tasks", "/api/tasks/", "/dashboard/events", "/api/rooms", "/api/channels/groups",
        "/api/cluster", "/metrics", "/api/pingx")) {
      calls.put(path, get(path, null).map(HttpResponse::statusCode));
    }
    Future<Integer> health = get("/health", null).map(HttpResponse::statusCode);
    Future<Integer> ping = get("/api/ping", null).map(HttpResponse::statusCode);
    Future<Integer> withToken = get("/api/channels/groups", alice).map(HttpResponse::statusCode);
    Future.all(List.of(Future.all(List.copyOf(calls.values())), health, ping, withToken))
        .onComplete(testContext.succeeding(v -> testContext.verify(() -> {
          calls.forEach((path, status) -> assertEquals(401, status.result(), path + " without a token"));
          assertNotEquals(401, health.result(), "/health is always open");
          assertEquals(200, ping.result(), "/api/ping is listed public");
          assertEquals(200, withToken.result());
          testContext.completeNow();
        })));
  }

  @Test
  @DisplayName("a group's members are listed without their channel names, which would let anyone write to their sockets")
  void noChannelNames(VertxTestContext testContext) {
    WebSocketConnectOptions chat = new WebSocketConnectOptions().setPort(port).setHost("127.0.0.1")
        .setURI("/ws/chat/lobby").addHeader("Authorization", "Bearer " + alice);
    ws.connect(chat)
        .compose(socket -> {
          Future<String> broadcast = firstText(socket); // the sender's own broadcast: it has joined the room
          socket.writeTextMessage(new JsonObject().put("message", "hi").encode());
          return broadcast.compose(joined -> get("/api/channels/groups/chat.lobby", alice));
        })
        .onComplete(testContext.succeeding(response -> testContext.verify(() -> {
          JsonObject body = response.bodyAsJsonObject();
          assertEquals(1, body.getInteger("count"), body.encode());
          assertFalse(body.encode().contains("switchboard.channel"), body.encode());
          assertFalse(body.getJsonArray("members").getJsonObject(0).containsKey("channel"), body.encode());
          testContext.completeNow();
        })));
  }

  @Test
  @DisplayName("a state-changing request needs a JSON body and, from a browser, an allowed Origin (CSRF)")
  void crossSiteRequests(VertxTestContext testContext) {
    String task = new JsonObject().put("args", new JsonArray().add(1).add(2)).encode();
    Future<Integer> textPlain = post("/api/tasks/add", "text/plain", null, task);
    Future<Integer> foreign = post("/api/tasks/add", "application/json", "https://evil.example", task);
    Future<Integer> foreignRetry = post("/api/tasks/abc/retry", null, "https://evil.example", null);
    Future<Integer> foreignRoom = post("/api/rooms/lobby/messages", "text/plain", "https://evil.example", "{\"message\":\"hi\"}");
    Future<Integer> json = post("/api/tasks/add", "application/json; charset=utf-8", null, task);
    Future<Integer> local = post("/api/tasks/add", "application/json", "http://localhost:" + port, task);
    Future.all(List.of(textPlain, foreign, foreignRetry, foreignRoom, json, local)).onComplete(testContext.succeeding(v -> testContext.verify(() -> {
      assertEquals(415, textPlain.result(), "text/plain body");
      assertEquals(403, foreign.result(), "foreign Origin");
      assertEquals(403, foreignRetry.result(), "foreign Origin, no body");
      assertEquals(403, foreignRoom.result(), "foreign Origin on the rooms API");
      assertEquals(503, json.result(), "past the checks: no Redis configured in this test");
      assertEquals(503, local.result(), "localhost is a public origin by default");
      testContext.completeNow();
    })));
  }

  @Test
  @DisplayName("Origin is compared with the configured public origins, not with the request's own Host (DNS rebinding)")
  void originNotJudgedByHost(VertxTestContext testContext) {
    Future<Integer> rebound = wsStatus(new WebSocketConnectOptions().setURI("/ws/echo")
        .addHeader("Origin", "http://evil.example:" + port).addHeader("Host", "evil.example:" + port));
    Future<Integer> rebound80 = wsStatus(new WebSocketConnectOptions().setURI("/ws/echo")
        .addHeader("Origin", "http://evil.example").addHeader("Host", "127.0.0.1"));
    Future<Integer> localhost = wsStatus(new WebSocketConnectOptions().setURI("/ws/echo")
        .addHeader("Origin", "http://localhost:" + port));
    Future<Integer> loopback = wsStatus(new WebSocketConnectOptions().setURI("/ws/echo")
        .addHeader("Origin", "http://127.0.0.1:" + port));
    Future.all(rebound, rebound80, localhost, loopback).onComplete(testContext.succeeding(v -> testContext.verify(() -> {
      assertEquals(421, rebound.result(), "its Host is refused first");
      assertEquals(403, rebound80.result());
      assertEquals(101, localhost.result());
      assertEquals(101, loopback.result());
      testContext.completeNow();
    })));
  }

  @Test
  @DisplayName("a request naming a foreign Host is refused with 421, HTTP and WebSocket: a DNS-rebinding page sends no Origin on its GETs")
  void foreignHostRefused(VertxTestContext testContext) {
    Map<String, Future<HttpResponse<Buffer>>> byHost = new LinkedHashMap<>();
    for (String host : List.of("evil.example", "evil.example:" + port, "gateway-1.evil.example", "svc.cluster.local",
        "localhost.evil.example", "127.0.0.1.evil.example", "localhost", "localhost:" + port, "127.0.0.1:" + port,
        "10.1.2.3", "[::1]:" + port, "gateway-1", "GATEWAY-1:" + port, "switchboard.ns.svc.cluster.local.")) {
      byHost.put(host, web.get(port, "127.0.0.1", "/api/ping").putHeader("Host", host).send());
    }
    Future<HttpResponse<Buffer>> tasks = web.get(port, "127.0.0.1", "/api/tasks").putHeader("Host", "evil.example")
        .putHeader("Authorization", "Bearer " + alice).send();
    Future<HttpResponse<Buffer>> health = web.get(port, "127.0.0.1", "/health").putHeader("Host", "evil.example").send();
    Future<Integer> socket = wsStatus(new WebSocketConnectOptions().setURI("/ws/echo").addHeader("Host", "evil.example"));
    Future<Integer> socketAllowed = wsStatus(new WebSocketConnectOptions().setURI("/ws/echo").addHeader("Host", "gateway-1"));
    Future.all(List.of(Future.all(List.copyOf(byHost.values())), tasks, health, socket, socketAllowed))
        .onComplete(testContext.succeeding(v -> testContext.verify(() -> {
          byHost.forEach((host, response) -> {
            boolean foreign = host.contains("evil") || host.equals("svc.cluster.local");
            assertEquals(foreign ? 421 : 200, response.result().statusCode(), "Host: " + host);
          });
          JsonObject refusal = byHost.get("evil.example").result().bodyAsJsonObject();
          assertTrue(refusal.getString("error").contains("host not allowed: evil.example"), refusal.encode());
          assertEquals(421, tasks.result().statusCode(), "a token does not make a foreign Host right");
          assertEquals(421, health.result().statusCode());
          assertEquals(421, socket.result());
          assertEquals(101, socketAllowed.result(), "listed in http.allowedHosts");
          testContext.completeNow();
        })));
  }

  @Test
  @DisplayName("a token smuggled past the stripping (%74oken, ;token) never reaches the consumer's scope")
  void smuggledTokenStripped(VertxTestContext testContext) {
    Future<String> encoded = scopeQuery("/ws/scope?room=1&%74oken=" + alice);
    Future<String> semicolon = scopeQuery("/ws/scope?room=1;token=" + alice);
    Future<String> plain = scopeQuery("/ws/scope?token=" + alice + "&room=1");
    Future.all(encoded, semicolon, plain).onComplete(testContext.succeeding(v -> testContext.verify(() -> {
      for (Future<String> query : List.of(encoded, semicolon, plain)) {
        assertFalse(query.result().contains(alice.substring(0, 20)), "token in the scope: " + query.result());
        assertTrue(query.result().contains("room=1"), query.result());
      }
      testContext.completeNow();
    })));
  }

  @Test
  @DisplayName("?token= is refused on plain HTTP paths, and a token without exp or older than the maximum age is refused")
  void tokenPlaceAndAge(VertxTestContext testContext) {
    long now = System.currentTimeMillis() / 1000;
    String noExpiry = issuer.generateToken(new JsonObject().put("sub", "alice"), new JWTOptions().setNoTimestamp(true));
    String old = issuer.generateToken(new JsonObject().put("sub", "alice").put("iat", now - 200_000), new JWTOptions().setNoTimestamp(true));
    String farFuture = issuer.generateToken(new JsonObject().put("sub", "alice"), new JWTOptions().setExpiresInSeconds(10_000_000));
    Future<Integer> inQuery = get("/api/channels/groups?token=" + alice, null).map(HttpResponse::statusCode);
    Future<Integer> none = get("/api/channels/groups", noExpiry).map(HttpResponse::statusCode);
    Future<Integer> aged = get("/api/channels/groups", old).map(HttpResponse::statusCode);
    Future<Integer> tooLong = get("/api/channels/groups", farFuture).map(HttpResponse::statusCode);
    Future<Integer> wsQuery = wsStatus(new WebSocketConnectOptions().setURI("/ws/chat/lobby?token=" + alice));
    Future.all(List.of(inQuery, none, aged, tooLong, wsQuery)).onComplete(testContext.succeeding(v -> testContext.verify(() -> {
      assertEquals(401, inQuery.result(), "?token= on an HTTP API path");
      assertEquals(401, none.result(), "no exp, no iat");
      assertEquals(401, aged.result(), "issued 200000 s ago, no exp");
      assertEquals(401, tooLong.result(), "expires in 10^7 s");
      assertEquals(101, wsQuery.result(), "?token= on a WebSocket upgrade");
      testContext.completeNow();
    })));
  }

  private Future<String> scopeQuery(String uri) {
    return ws.connect(new WebSocketConnectOptions().setPort(port).setHost("127.0.0.1").setURI(uri))
        .compose(socket -> firstText(socket).compose(text -> socket.close().map(text)));
  }

  private static Future<String> firstText(WebSocket socket) {
    Promise<String> first = Promise.promise();
    socket.textMessageHandler(first::tryComplete);
    socket.closeHandler(v -> first.tryFail("closed before any message: " + socket.closeStatusCode() + " " + socket.closeReason()));
    return first.future();
  }

  private Future<HttpResponse<Buffer>> get(String path, String token) {
    HttpRequest<Buffer> request = web.get(port, "127.0.0.1", path);
    if (token != null) {
      request.putHeader("Authorization", "Bearer " + token);
    }
    return request.send();
  }

  private Future<Integer> post(String path, String contentType, String origin, String body) {
    HttpRequest<Buffer> request = web.post(port, "127.0.0.1", path).putHeader("Authorization", "Bearer " + alice);
    if (contentType != null) {
      request.putHeader("Content-Type", contentType);
    }
    if (origin != null) {
      request.putHeader("Origin", origin);
    }
    return (body == null ? request.send() : request.sendBuffer(Buffer.buffer(body))).map(HttpResponse::statusCode);
  }

  /** 101 when upgraded (and closes the socket), else the refusal's HTTP status. */
  private Future<Integer> wsStatus(WebSocketConnectOptions options) {
    return ws.connect(options.setPort(port).setHost("127.0.0.1"))
        .compose(socket -> socket.close().map(101))
        .recover(err -> err instanceof UpgradeRejectedException rejected
            ? Future.succeededFuture(rejected.getStatus()) : Future.failedFuture(err));
  }

  private static String randomSecret() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}

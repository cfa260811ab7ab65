package dev.switchboard.deploy;

import dev.switchboard.shared.channels.ChannelLayerVerticle;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.gateway.GatewayVerticle;
import dev.switchboard.gateway.TcpBridgeVerticle;
import dev.switchboard.shared.config.SwitchboardConfig;
import dev.switchboard.worker.WorkerVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("Services in Python and Node on the event bus, through the TCP bridge")
class PolyglotBridgeTest {

  private static final String REDIS_URL = System.getenv().getOrDefault("SWITCHBOARD_TEST_REDIS_URL", "redis://127.0.0.1:6379");
  private static final int MAX_FRAME = 4096;

  private int httpPort;
  private int bridgePort;
  // a field: Vert.x closes an unreachable client (a Cleaner), and with it the sockets and requests using it
  private NetClient net;

  @BeforeEach
  void deploy(Vertx vertx, VertxTestContext testContext) {
    JsonObject config = SwitchboardConfig.fromJson(new JsonObject()
        .put("http", new JsonObject().put("port", 0).put("instances", 1).put("host", "127.0.0.1"))
        .put("redis", new JsonObject().put("url", REDIS_URL))
        .put("tasks", new JsonObject().put("namespace", "test-" + UUID.randomUUID().toString().substring(0, 8))
            .put("schedulerIntervalMs", 20).put("pollIntervalMs", 100))
        .put("tcpBridge", new JsonObject().put("port", 0).put("maxFrameBytes", MAX_FRAME)
            .put("routes", new JsonArray().add("/ws/py-echo").add("/ws/node-echo").add("/py/hello/:name"))
            .put("inbound", new JsonArray().add("re:polyglot\\.in\\..+").add("re:switchboard\\.inbox\\..+")
                .add("re:switchboard\\.http\\..+").add("switchboard.routes.announce"))
            .put("outbound", new JsonArray().add("re:polyglot\\.out\\..+")
                .add("re:switchboard\\.consumer\\.py-echo(\\..+)?").add("re:switchboard\\.consumer\\.node-echo(\\..+)?")
                .add("re:switchboard\\.consumer\\.py-hello(\\..+)?").add("re:switchboard\\.task\\.py-[0-9a-f]{32}"))))
        .toJson();
    DeploymentOptions options = new DeploymentOptions().setConfig(config);
    GatewayVerticle gateway = GatewayVerticle.standalone();
    TcpBridgeVerticle bridge = TcpBridgeVerticle.standalone();
    net = vertx.createNetClient();
    fixtures(vertx.eventBus())
        .compose(v -> vertx.deployVerticle(ChannelLayerVerticle.standalone(), options))
        .compose(v -> vertx.deployVerticle(new WorkerVerticle(), options))
        .compose(v -> vertx.deployVerticle(gateway, options))
        .compose(v -> vertx.deployVerticle(bridge, options))
        .onSuccess(v -> {
          httpPort = gateway.actualPort();
          bridgePort = bridge.actualPort();
        })
        .onComplete(testContext.succeedingThenComplete());
  }

  /** The JVM side of clients/python/test_bus.py and clients/node/test-bus.js. */
  private static Future<?> fixtures(EventBus bus) {
    return Future.all(List.of(
        bus.<Object>consumer("polyglot.in.echo", m -> m.reply(new JsonObject().put("echo", m.body()))).completion(),
        bus.<Object>consumer("polyglot.in.relay", m -> bus.publish("polyglot.out.relay", m.body())).completion(),
        bus.<Object>consumer("polyglot.in.ask", m -> bus.request("polyglot.out.service", m.body())
            .onSuccess(answer -> m.reply(answer.body()))
            .onFailure(err -> m.fail(500, err.getMessage()))).completion(),
        bus.<Object>consumer("polyglot.in.fail", m -> m.fail(42, "nope")).completion()));
  }

  @Test
  @Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
  @DisplayName("the Python client sends, requests, publishes, subscribes, answers requests, and is refused where not permitted")
  void pythonClient() throws Exception {
    try (ScriptRun run = ScriptRun.start(List.of("python3", "python/test_bus.py", String.valueOf(bridgePort)))) {
      assertEquals(0, run.awaitExit(50), run.output());
      assertTrue(run.output().contains("python bridge client: all checks passed"), run.output());
    }
  }

  @Test
  @Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
  @DisplayName("the Node client sends, requests, publishes, subscribes, answers requests, and is refused where not permitted")
  void nodeClient() throws Exception {
    try (ScriptRun run = ScriptRun.start(List.of("node", "node/test-bus.js", String.valueOf(bridgePort)))) {
      assertEquals(0, run.awaitExit(50), run.output());
      assertTrue(run.output().contains("node bridge client: all checks passed"), run.output());
    }
  }

  @Test
  @Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
  @DisplayName("a consumer written in Python announces /ws/py-echo through the bridge and serves it; its route leaves with its connection")
  void pythonConsumerServesWebSocket(Vertx vertx) throws Exception {
    echoConsumerServes(vertx, List.of("python3", "python/py_echo_consumer.py", "--port", String.valueOf(bridgePort)), "py-echo");
  }

  @Test
  @Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
  @DisplayName("a consumer written in Node announces /ws/node-echo with announceRoutes and serves it; its route leaves with its connection")
  void nodeConsumerServesWebSocket(Vertx vertx) throws Exception {
    echoConsumerServes(vertx, List.of("node", "node/node-echo-consumer.js", String.valueOf(bridgePort)), "node-echo");
  }

  /** Runs a bridge consumer that serves /ws/{name}, answering "{name}: text"; checks its route comes and goes with it. */
  private void echoConsumerServes(Vertx vertx, List<String> command, String name) throws Exception {
    String path = "/ws/" + name;
    assertEquals(404, RouteProbe.upgradeStatus(vertx, httpPort, path).await(10, TimeUnit.SECONDS), "served before it was announced");
    ScriptRun consumer = ScriptRun.start(command);
    try (consumer) {
      consumer.awaitLine(name + " ready", 30);
      Eventually.eventually(vertx, 5000, () -> RouteProbe.upgradeStatus(vertx, httpPort, path).map(status -> status == 101))
          .await(10, TimeUnit.SECONDS);
      CompletableFuture<List<String>> replies = new CompletableFuture<>();
      List<String> received = new java.util.concurrent.CopyOnWriteArrayList<>();
      // closed below: until then this reference keeps it (Vert.x closes a client the GC finds unreferenced)
      io.vertx.core.http.WebSocketClient client = vertx.createWebSocketClient();
      client.connect(httpPort, "127.0.0.1", path).onComplete(result -> {
        if (result.failed()) {
          replies.completeExceptionally(result.cause());
          return;
        }
        result.result().textMessageHandler(text -> {
          received.add(text);
          if (received.size() == 2) {
            replies.complete(received);
          }
        });
        result.result().writeTextMessage("hello");
        result.result().writeTextMessage("from the JVM");
      });
      List<String> answers;
      try {
        answers = replies.get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new AssertionError("no answer from the " + name + " consumer: " + consumer.output(), e);
      } finally {
        client.close();
      }
      assertEquals(List.of(name + ": hello", name + ": from the JVM"), answers, consumer.output());
    }
    // the consumer's bridge connection is gone: the gateway drops its route
    Eventually.eventually(vertx, 5000, () -> RouteProbe.upgradeStatus(vertx, httpPort, path).map(status -> status == 404))
        .await(10, TimeUnit.SECONDS);
  }

  @Test
  @Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
  @DisplayName("an HTTP consumer written in Python announces /py/hello/:name through the bridge and streams its answer in parts; its route leaves with its connection")
  void pythonConsumerServesHttp(Vertx vertx) throws Exception {
    WebClient client = WebClient.create(vertx);
    assertEquals(404, get(client, "/py/hello/ada").await(10, TimeUnit.SECONDS).statusCode(), "served before it was announced");
    ScriptRun consumer = ScriptRun.start(List.of("python3", "python/py_http_consumer.py", "--port", String.valueOf(bridgePort)));
    try (consumer) {
      consumer.awaitLine("py-hello ready", 30);
      Eventually.eventually(vertx, 5000, () -> get(client, "/py/hello/probe").map(answer -> answer.statusCode() == 200))
          .await(10, TimeUnit.SECONDS);
      HttpResponse<Buffer> answer = get(client, "/py/hello/ada").await(20, TimeUnit.SECONDS);
      assertEquals(200, answer.statusCode(), answer.bodyAsString() + consumer.output());
      assertEquals("application/json", answer.getHeader("content-type"));
      assertEquals("chunked", answer.getHeader("transfer-encoding"), "the parts were streamed, not gathered");
      assertEquals(new JsonObject().put("hello", "ada").put("from", "python").put("parts", 3), answer.bodyAsJsonObject());
      assertEquals(405, post(client, "/py/hello/ada").await(20, TimeUnit.SECONDS).statusCode(), consumer.output());
    }
    // the consumer's bridge connection is gone: the gateway drops its route
    Eventually.eventually(vertx, 5000, () -> get(client, "/py/hello/ada").map(answer -> answer.statusCode() == 404))
        .await(10, TimeUnit.SECONDS);
    client.close();
  }

  private Future<HttpResponse<Buffer>> get(WebClient client, String path) {
    return client.get(httpPort, "127.0.0.1", path).send();
  }

  /** A body of two relay parts (over 64 KiB): the consumer takes the second at its instance address. */
  private Future<HttpResponse<Buffer>> post(WebClient client, String path) {
    return client.post(httpPort, "127.0.0.1", path).sendBuffer(Buffer.buffer("x".repeat(100_000)));
  }

  @Test
  @Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
  @DisplayName("a Python script enqueues a task over HTTP and follows its progress over the bridge")
  void pythonFollowsTask() throws Exception {
    try (ScriptRun run = ScriptRun.start(List.of("python3", "python/task_progress.py", "--http", "http://127.0.0.1:" + httpPort,
        "--bridge-port", String.valueOf(bridgePort), "--timeout", "20", "long_running", "1"))) {
      assertEquals(0, run.awaitExit(50), run.output());
      String output = run.output();
      assertTrue(output.contains("\"submitted\"") && output.contains("\"PROGRESS\"") && output.contains("\"SUCCESS\""), output);
    }
  }

  @Test
  @Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
  @DisplayName("a raw bridge client gets access_denied for addresses not permitted, and never their messages")
  void deniesUnpermitted(Vertx vertx, VertxTestContext testContext) {
    net.connect(bridgePort, "127.0.0.1").onComplete(testContext.succeeding(socket -> {
      BridgeFrames frames = new BridgeFrames(socket);
      frames.write(new JsonObject().put("type", "register").put("address", "polyglot.secret"));
      frames.write(new JsonObject().put("type", "register").put("address", "switchboard.layer.presence"));
      frames.write(new JsonObject().put("type", "send").put("address", "polyglot.secret").put("body", new JsonObject()));
      frames.write(new JsonObject().put("type", "publish").put("address", "switchboard.consumer.echo").put("body", new JsonObject()));
      frames.write(new JsonObject().put("type", "ping"));
      frames.collectUntilPong().onComplete(testContext.succeeding(seen -> {
        vertx.eventBus().publish("polyglot.secret", new JsonObject().put("leak", true));
        frames.write(new JsonObject().put("type", "ping"));
        frames.collectUntilPong().onComplete(testContext.succeeding(after -> testContext.verify(() -> {
          assertEquals(4, seen.size(), seen.toString());
          seen.forEach(frame -> assertEquals("access_denied", ((JsonObject) frame).getString("message"), seen.toString()));
          assertTrue(after.isEmpty(), "received from an unpermitted address: " + after);
          testContext.completeNow();
        })));
      }));
    }));
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  @DisplayName("a bridge client permitted to send to the inboxes writes only to sockets routed to a consumer address it registered, whatever header it forges")
  void inboxWritesScopedToServedSockets(Vertx vertx) throws Exception {
    java.util.concurrent.atomic.AtomicReference<io.vertx.core.Promise<String>> connected = new java.util.concurrent.atomic.AtomicReference<>();
    vertx.eventBus().<JsonObject>consumer(dev.switchboard.shared.protocol.Addresses.consumer("captive"), message -> {
      message.reply(new JsonObject().put("type", "websocket.accept").put("instance", "test.captive").put("node", "test"));
      io.vertx.core.Promise<String> waiting = connected.get();
      if (waiting != null) {
        waiting.tryComplete(message.body().getString("channel"));
      }
    }).completion().await(10, TimeUnit.SECONDS);
    new dev.switchboard.shared.routes.RouteAnnouncer(vertx, "captive-test")
        .announce(List.of(dev.switchboard.shared.routes.Route.websocket("/ws/captive", "captive"))).await(10, TimeUnit.SECONDS);
    Eventually.eventually(vertx, 5000, () -> RouteProbe.upgradeStatus(vertx, httpPort, "/ws/captive").map(status -> status == 101))
        .await(10, TimeUnit.SECONDS);

    io.vertx.core.Promise<String> channelOf = io.vertx.core.Promise.promise();
    connected.set(channelOf);
    io.vertx.core.http.WebSocketClient client = vertx.createWebSocketClient();
    try {
      io.vertx.core.Promise<String> firstText = io.vertx.core.Promise.promise();
      io.vertx.core.http.WebSocket socket = client.connect(httpPort, "127.0.0.1", "/ws/captive").await(10, TimeUnit.SECONDS);
      socket.textMessageHandler(firstText::tryComplete);
      String channel = channelOf.future().await(10, TimeUnit.SECONDS);
      String inbox = dev.switchboard.shared.protocol.Addresses.inbox(
          dev.switchboard.shared.protocol.Addresses.channelNode(channel).orElseThrow());

      // a client serving py-echo: registered, permitted to send to inboxes, and it learnt this channel somehow
      NetSocket bridgeSocket = net.connect(bridgePort, "127.0.0.1").await(10, TimeUnit.SECONDS);
      BridgeFrames frames = new BridgeFrames(bridgeSocket);
      frames.write(new JsonObject().put("type", "register").put("address", "switchboard.consumer.py-echo"));
      frames.write(new JsonObject().put("type", "send").put("address", inbox)
          .put("headers", new JsonObject().put("channel", channel))
          .put("body", new JsonObject().put("type", "websocket.send").put("text", "forged")));
      frames.write(new JsonObject().put("type", "send").put("address", inbox)
          .put("headers", new JsonObject().put("channel", channel)
              .put("Switchboard-Bridge-Registered", "switchboard.consumer.captive"))
          .put("body", new JsonObject().put("type", "websocket.send").put("text", "forged with a header")));
      frames.write(new JsonObject().put("type", "ping"));
      JsonArray refused = frames.collectUntilPong().await(10, TimeUnit.SECONDS);
      bridgeSocket.close();
      // the bridge has put both on the bus before its pong: a send from here to the same inbox comes after them
      vertx.eventBus().send(inbox, new JsonObject().put("type", "websocket.send").put("text", "legit"),
          new io.vertx.core.eventbus.DeliveryOptions().addHeader("channel", channel));
      assertTrue(refused.isEmpty(), "the bridge itself refuses nothing here: " + refused);
      assertEquals("legit", firstText.future().await(10, TimeUnit.SECONDS), "a forged send reached the socket");
      socket.close();
    } finally {
      client.close();
    }
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  @DisplayName("a bridge client permitted to send to the HTTP inboxes answers only exchanges routed to a consumer address it registered")
  void httpResponsesScopedToServedExchanges(Vertx vertx) throws Exception {
    io.vertx.core.Promise<JsonObject> requested = io.vertx.core.Promise.promise();
    vertx.eventBus().<JsonObject>consumer(dev.switchboard.shared.protocol.Addresses.consumer("captive-http"), message -> {
      message.reply(new JsonObject().put("type", "http.accept").put("instance", "test.captive-http").put("node", "test"));
      requested.tryComplete(message.body());
    }).completion().await(10, TimeUnit.SECONDS);
    new dev.switchboard.shared.routes.RouteAnnouncer(vertx, "captive-http-test")
        .announce(List.of(dev.switchboard.shared.routes.Route.http("/captive-http", "captive-http"))).await(10, TimeUnit.SECONDS);
    WebClient client = WebClient.create(vertx);
    try {
      // the gateway has heard the route once /api/routes lists it (a probe request would be taken and never answered)
      Eventually.eventually(vertx, 5000, () -> get(client, "/api/routes").map(r -> r.bodyAsString().contains("/captive-http")))
          .await(10, TimeUnit.SECONDS);
      Future<HttpResponse<Buffer>> answer = get(client, "/captive-http");
      JsonObject request = requested.future().await(10, TimeUnit.SECONDS);
      String id = request.getString("request");
      String reply = request.getString("reply");

      NetSocket bridgeSocket = net.connect(bridgePort, "127.0.0.1").await(10, TimeUnit.SECONDS);
      BridgeFrames frames = new BridgeFrames(bridgeSocket);
      frames.write(new JsonObject().put("type", "register").put("address", "switchboard.consumer.py-hello"));
      frames.write(new JsonObject().put("type", "send").put("address", reply)
          .put("headers", new JsonObject().put("switchboard-bridge-registered", "switchboard.consumer.captive-http"))
          .put("body", new JsonObject().put("type", "http.response.start").put("request", id).put("status", 200)
              .put("headers", new JsonObject())));
      frames.write(new JsonObject().put("type", "ping"));
      frames.collectUntilPong().await(10, TimeUnit.SECONDS);
      bridgeSocket.close();
      // after the bridge's pong the forged start is on the bus: the consumer's own answer comes after it
      vertx.eventBus().send(reply, new JsonObject().put("type", "http.response.start").put("request", id).put("status", 201)
          .put("headers", new JsonObject()));
      vertx.eventBus().request(reply, new JsonObject().put("type", "http.response.body").put("request", id)
          .put("body", Buffer.buffer("legit")).put("more_body", false));
      HttpResponse<Buffer> response = answer.await(10, TimeUnit.SECONDS);
      assertEquals(201, response.statusCode(), "a forged response start reached the client: " + response.bodyAsString());
      assertEquals("legit", response.bodyAsString());
    } finally {
      client.close();
    }
  }

  @Test
  @Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
  @DisplayName("a bridge client may announce only the patterns tcpBridge.routes lists: claiming a chat room is refused whole")
  void announcesOnlyListedPatterns(Vertx vertx, VertxTestContext testContext) {
    JsonObject hijack = new JsonObject().put("source", "rogue").put("routes", new JsonArray()
        .add(new JsonObject().put("kind", "websocket").put("pattern", "/ws/py-echo").put("consumer", "py-echo"))
        .add(new JsonObject().put("kind", "websocket").put("pattern", "/ws/chat/lobby").put("consumer", "py-echo")));
    net.connect(bridgePort, "127.0.0.1").onComplete(testContext.succeeding(socket -> {
      BridgeFrames frames = new BridgeFrames(socket);
      frames.write(new JsonObject().put("type", "publish").put("address", "switchboard.routes.announce").put("body", hijack));
      frames.write(new JsonObject().put("type", "ping"));
      frames.collectUntilPong()
          .compose(seen -> RouteProbe.upgradeStatus(vertx, httpPort, "/ws/py-echo").map(status -> {
            testContext.verify(() -> {
              assertEquals(1, seen.size(), seen.toString());
              assertEquals("err", ((JsonObject) seen.getValue(0)).getString("type"), seen.toString());
              assertEquals(404, status, "a refused announcement announces none of its routes");
            });
            return null;
          }))
          .onComplete(testContext.succeedingThenComplete());
    }));
  }

  @Test
  @Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
  @DisplayName("a bridge frame announcing more than tcpBridge.maxFrameBytes closes the connection")
  void closesOversizeFrame(Vertx vertx, VertxTestContext testContext) {
    net.connect(bridgePort, "127.0.0.1").onComplete(testContext.succeeding(socket -> {
      socket.closeHandler(v -> testContext.completeNow());
      socket.write(Buffer.buffer().appendInt(MAX_FRAME + 1).appendString("{\"type\":\"ping\""));
    }));
  }

  /** Length-prefixed JSON frames over a raw socket, as the bridge speaks them. */
  static final class BridgeFrames {
    private final NetSocket socket;
    private Buffer pending = Buffer.buffer();
    private final JsonArray frames = new JsonArray();
    private io.vertx.core.Promise<JsonArray> untilPong;

    BridgeFrames(NetSocket socket) {
      this.socket = socket;
      socket.handler(this::onBytes);
    }

    void write(JsonObject frame) {
      Buffer json = frame.toBuffer();
      socket.write(Buffer.buffer().appendInt(json.length()).appendBuffer(json));
    }

    /** The frames received before the next pong. */
    Future<JsonArray> collectUntilPong() {
      untilPong = io.vertx.core.Promise.promise();
      return untilPong.future();
    }

    private void onBytes(Buffer bytes) {
      pending.appendBuffer(bytes);
      while (pending.length() >= 4 && pending.length() >= 4 + pending.getInt(0)) {
        int length = pending.getInt(0);
        JsonObject frame = pending.getBuffer(4, 4 + length).toJsonObject();
        pending = pending.getBuffer(4 + length, pending.length());
        if ("pong".equals(frame.getString("type"))) {
          JsonArray seen = frames.copy();
          frames.clear();
          untilPong.tryComplete(seen);
        } else {
          frames.add(frame);
        }
      }
    }
  }
}

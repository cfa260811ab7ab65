package dev.switchboard.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.switchboard.gateway.TcpBridgeVerticle;
import dev.switchboard.gateway.TcpEchoVerticle;
import dev.switchboard.shared.config.SwitchboardConfig;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * Malformed, oversized, deeply nested, wrongly typed and unicode-edge input at every HTTP route, WebSocket route and
 * the TCP bridge of one node (real PostgreSQL and Redis): each answer is a 4xx or a close code that is not 1011, and
 * nothing is logged at ERROR or with a stack trace (the log is captured with a Logback appender on the root logger).
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 90, timeUnit = TimeUnit.SECONDS)
@DisplayName("Bad input anywhere gets a 4xx or a close code, never a 500 or a stack trace")
class BadInputSweepTest {

  private static final int MAX_BODY = 8 * 1024;
  private static final int MAX_FRAME = 16 * 1024;
  private static final String DEEP = "[".repeat(100_000) + "]".repeat(100_000);
  private static final String HUGE_NUMBER = "9".repeat(20_000);
  private static final byte[] BAD_UTF8 = {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
  private static final String SECRET = "sweep-secret-" + UUID.randomUUID();

  private final ListAppender<ILoggingEvent> log = new ListAppender<>();
  private DataTesting.Node node;
  private String database;
  private String namespace;
  private int bridgePort;
  private int echoPort;
  private HttpClient http;
  // fields: Vert.x closes an unreachable client (a Cleaner), and with it the sockets and requests using it
  private WebSocketClient ws;
  private NetClient net;

  @BeforeEach
  void deploy(Vertx vertx, VertxTestContext testContext, TestInfo test) {
    log.start();
    root().addAppender(log);
    namespace = "sweep-" + UUID.randomUUID().toString().substring(0, 8);
    TcpBridgeVerticle bridge = TcpBridgeVerticle.standalone();
    TcpEchoVerticle echo = new TcpEchoVerticle();
    boolean withKey = test.getTestMethod().map(method -> method.getName().equals("withJwtKey")).orElse(false);
    DataTesting.createDatabase(vertx)
        .compose(url -> {
          database = url;
          JsonObject config = SwitchboardConfig.fromJson(new JsonObject()
              .put("http", new JsonObject().put("port", 0).put("instances", 1).put("host", "127.0.0.1").put("maxBodySize", MAX_BODY))
              .put("websocket", new JsonObject().put("maxFrameSize", MAX_FRAME).put("maxMessageSize", MAX_FRAME))
              .put("pg", new JsonObject().put("url", url))
              .put("redis", new JsonObject().put("url", DataTesting.REDIS_URL))
              .put("tasks", new JsonObject().put("namespace", namespace))
              .put("tcpBridge", new JsonObject().put("port", 0).put("maxFrameBytes", MAX_FRAME)
                  .put("inbound", new JsonArray().add("switchboard.bridge.echo"))
                  .put("outbound", new JsonArray().add("sweep.out")))
              .put("sockjsBridge", new JsonObject().put("inbound", new JsonArray().add("switchboard.bridge.echo")))
              .put("tcpEcho", new JsonObject().put("port", 0))
              .put("auth", withKey ? new JsonObject().put("jwtSecret", SECRET) : new JsonObject())
              .put("roles", new JsonArray().add("gateway").add("consumers"))).toJson();
          return DataTesting.Node.deploy(vertx, config, false)
              .compose(deployed -> {
                node = deployed;
                return vertx.deployVerticle(bridge, new DeploymentOptions().setConfig(config));
              })
              .compose(v -> vertx.deployVerticle(echo, new DeploymentOptions().setConfig(config)));
        })
        .onSuccess(v -> {
          bridgePort = bridge.actualPort();
          echoPort = echo.actualPort();
          http = vertx.createHttpClient();
          net = vertx.createNetClient();
        })
        .onComplete(testContext.succeedingThenComplete());
  }

  @AfterEach
  void undeploy(Vertx vertx, VertxTestContext testContext) {
    root().detachAppender(log);
    (node == null ? Future.succeededFuture() : node.undeploy())
        .eventually(() -> DataTesting.dropDatabase(vertx, database))
        .onComplete(testContext.succeedingThenComplete());
  }

  private static Logger root() {
    return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }

  /**
   * One request; {@code refuse}: it must get a 4xx (else anything but a 5xx: an unknown query parameter is ignored).
   * {@code headers} replace the default {@code Content-Type: application/json} (a null value removes a header);
   * {@code stream}: an answer that may never end (server-sent events), so only its status is read.
   */
  private record Case(HttpMethod method, String uri, Buffer body, boolean refuse, Map<String, String> headers, boolean stream) {
    Case(HttpMethod method, String uri, Buffer body) {
      this(method, uri, body, true);
    }

    Case(HttpMethod method, String uri, Buffer body, boolean refuse) {
      this(method, uri, body, refuse, Map.of(), false);
    }

    Case header(String name, String value) {
      Map<String, String> more = new java.util.LinkedHashMap<>(headers);
      more.put(name, value);
      return new Case(method, uri, body, refuse, more, stream);
    }

    Case streaming() {
      return new Case(method, uri, body, refuse, headers, true);
    }

    @Override
    public String toString() {
      String shown = body == null ? "" : body.length() > 60 ? body.getString(0, 60, "ISO-8859-1") + "…(" + body.length() + " bytes)" : body.toString();
      String named = headers.isEmpty() ? "" : " " + headers.toString().substring(0, Math.min(90, headers.toString().length()));
      return method + " " + (uri.length() > 80 ? uri.substring(0, 80) + "…" : uri) + named + " " + shown;
    }
  }

  /** This test's Vert.x has no metrics registry, so /metrics says so with a 503: that is not bad input's doing. */
  private static boolean metricsOff(Case c, int status) {
    return status == 503 && c.uri.startsWith("/metrics");
  }

  /** Bodies that are not what any JSON route wants. */
  private static List<Buffer> badBodies() {
    List<Buffer> bodies = new ArrayList<>();
    for (String text : List.of("", "{", "[]", "null", "\"text\"", "42", "{\"args\": \"x\"}", "{\"args\": [1], \"kwargs\": []}",
        "{\"options\": []}", "{\"options\": {\"countdown\": \"soon\", \"priority\": \"high\", \"queue\": 7}}",
        "{\"options\": {\"maxRetries\": -1, \"timeLimitMs\": {}}}", "{\"message\": 5}", "{\"message\": null}",
        "{\"message\": [\"a\"]}", "{\"message\": \"a\\u0000b\"}",
        "{\"args\": [" + HUGE_NUMBER + "]}", "{\"message\": \"x\", \"extra\": " + HUGE_NUMBER + "}",
        "{\"message\": " + DEEP.substring(0, 2000) + DEEP.substring(DEEP.length() - 2000) + "}", "{\"message\": \"x\"}{")) {
      bodies.add(Buffer.buffer(text));
    }
    bodies.add(Buffer.buffer(DEEP));
    bodies.add(Buffer.buffer(BAD_UTF8));
    bodies.add(Buffer.buffer("{\"message\": \"" + "x".repeat(MAX_BODY) + "\"}"));
    return bodies;
  }

  private static List<Case> httpCases() {
    List<Case> cases = new ArrayList<>();
    for (Buffer body : badBodies()) {
      cases.add(new Case(HttpMethod.POST, "/api/tasks/add", body));
      cases.add(new Case(HttpMethod.POST, "/api/rooms/lobby/messages", body));
      cases.add(new Case(HttpMethod.POST, "/api/workflows", body));
    }
    for (String workflow : List.of("{\"chain\": {}}", "{\"group\": [1]}", "{\"chord\": {\"header\": []}}",
        "{\"chain\": [{\"task\": \"add\", \"args\": [1, 2]}], \"group\": []}", "{\"task\": \"add\", \"args\": [" + HUGE_NUMBER + ", 1]}",
        "{\"chain\": [{\"task\": \"add\", \"args\": [1, 2], \"options\": {\"task_id\": \"mine\"}}]}")) {
      cases.add(new Case(HttpMethod.POST, "/api/workflows", Buffer.buffer(workflow)));
    }
    for (String path : List.of("/api/workflows/%00", "/api/workflows/%ZZ", "/api/workflows/nope", "/api/workflows?limit=abc",
        "/api/workflows?limit=0", "/api/workflows?limit=99999999999999999999")) {
      cases.add(new Case(HttpMethod.GET, path, null));
    }
    // a lone surrogate is valid JSON though not valid Unicode: stored as the driver encodes it, or refused, never a 5xx
    cases.add(new Case(HttpMethod.POST, "/api/rooms/lobby/messages", Buffer.buffer("{\"message\": \"\\ud800\"}"), false));
    cases.add(new Case(HttpMethod.POST, "/api/tasks/add", Buffer.buffer("{\"args\": [\"\\ud800\"]}"), false));
    String longName = "n".repeat(5000);
    for (String path : List.of("/api/tasks/%F0%9F%92%A9", "/api/tasks/%00", "/api/tasks/" + longName, "/api/tasks/%ZZ",
        "/api/tasks/%E2%82", "/api/tasks/..%2F..%2Fetc", "/api/tasks/nope")) {
      cases.add(new Case(HttpMethod.POST, path, Buffer.buffer("{\"args\": []}")));
      cases.add(new Case(HttpMethod.GET, path, null));
      cases.add(new Case(HttpMethod.DELETE, path, null));
      cases.add(new Case(HttpMethod.POST, path + "/retry", null));
    }
    for (String query : List.of("limit=abc", "limit=-5", "limit=99999999999999999999", "limit=1e9", "state=NOPE",
        "before=abc", "before=-1", "before=99999999999999999999", "limit=%00", "limit=")) {
      cases.add(new Case(HttpMethod.GET, "/api/tasks?" + query, null, false));
      cases.add(new Case(HttpMethod.GET, "/api/rooms/lobby/messages?" + query, null, false));
    }
    for (String room : List.of("%F0%9F%92%A9", "%00", "r".repeat(5000), "a%2Fb", "%E2%82", "%20")) {
      cases.add(new Case(HttpMethod.GET, "/api/rooms/" + room + "/messages", null));
      cases.add(new Case(HttpMethod.POST, "/api/rooms/" + room + "/messages", Buffer.buffer("{\"message\": \"hi\"}")));
      cases.add(new Case(HttpMethod.GET, "/api/channels/groups/" + room, null));
    }
    for (String path : List.of("/dashboard/%2e%2e/%2e%2e/etc/passwd", "/dashboard/..%2f..%2fpom.xml", "/dashboard/%00",
        "/eventbus/000/%00/xhr", "/nope")) {
      cases.add(new Case(HttpMethod.GET, path, null));
    }
    cases.add(new Case(HttpMethod.GET, "/eventbus/info?t=%ZZ", null, false));
    cases.add(new Case(HttpMethod.GET, "/api/ping?%ZZ", null, false));
    cases.add(new Case(HttpMethod.POST, "/eventbus/000/" + UUID.randomUUID() + "/xhr_send", Buffer.buffer("not sockjs")));
    cases.add(new Case(HttpMethod.PUT, "/api/tasks/add", Buffer.buffer("{}")));
    cases.addAll(operationalCases());
    return cases;
  }

  /** The operational API, the schedules, queues and channel-layer routes, the dashboard and the rooms' event streams. */
  private static List<Case> operationalCases() {
    List<Case> cases = new ArrayList<>();
    String junkQuery = "?%ZZ=%00&limit=-1&state=%E2%82&x=" + "y".repeat(3000);
    for (String path : List.of("/health", "/metrics", "/api/routes", "/api/cluster", "/api/queues", "/api/workers",
        "/api/channels/stats", "/api/channels/groups", "/api/schedules", "/dashboard", "/api/workflows")) {
      cases.add(new Case(HttpMethod.GET, path + junkQuery, null, false));
      cases.add(new Case(HttpMethod.DELETE, path, null));
      cases.add(new Case(HttpMethod.PUT, path, Buffer.buffer(DEEP)));
      if (!path.equals("/api/schedules") && !path.equals("/api/workflows")) {
        cases.add(new Case(HttpMethod.POST, path, Buffer.buffer("{}")));
      }
    }
    String longName = "q".repeat(5000);
    for (String name : List.of("%F0%9F%92%A9", "%00", longName, "%ZZ", "%E2%82", "..%2F..%2Fetc", "a%2Fb", "%20", "nope")) {
      cases.add(new Case(HttpMethod.POST, "/api/queues/" + name + "/pause", null));
      cases.add(new Case(HttpMethod.POST, "/api/queues/" + name + "/resume", Buffer.buffer(DEEP)));
      cases.add(new Case(HttpMethod.DELETE, "/api/queues/" + name + "/tasks", null));
      cases.add(new Case(HttpMethod.DELETE, "/api/schedules/" + name, null));
      cases.add(new Case(HttpMethod.DELETE, "/api/workflows/" + name, null));
      if (!name.equals("nope")) { // a room of that name may exist
        cases.add(new Case(HttpMethod.GET, "/api/rooms/" + name + "/events", null).streaming());
      }
    }
    for (Buffer body : badBodies()) {
      cases.add(new Case(HttpMethod.POST, "/api/schedules", body));
    }
    for (String schedule : List.of("{\"name\": 5, \"task\": \"add\", \"every\": \"10s\"}",
        "{\"name\": \"s\", \"task\": \"add\"}", "{\"name\": \"s\", \"task\": \"add\", \"every\": \"10s\", \"cron\": \"* * * * *\"}",
        "{\"name\": \"s\", \"task\": \"add\", \"every\": \"-1s\"}", "{\"name\": \"s\", \"task\": \"add\", \"every\": \"" + HUGE_NUMBER + "s\"}",
        "{\"name\": \"s\", \"task\": \"add\", \"every\": \"0s\"}", "{\"name\": \"s\", \"task\": \"add\", \"every\": 10}",
        "{\"name\": \"s\", \"task\": \"add\", \"cron\": \"99 99 * * *\"}", "{\"name\": \"s\", \"task\": \"add\", \"cron\": \"* * *\"}",
        "{\"name\": \"s\", \"task\": \"add\", \"cron\": \"*/0 * * * *\"}", "{\"name\": \"s\", \"task\": \"add\", \"cron\": \"* * * * *\", \"tz\": \"Mars/Olympus\"}",
        "{\"name\": \"s\", \"task\": \"add\", \"cron\": \"* * * * *\", \"tz\": \"\\ud800\"}",
        "{\"name\": \"" + "n".repeat(5000) + "\", \"task\": \"add\", \"every\": \"10s\"}", "{\"name\": \"s\", \"task\": \"nope\", \"every\": \"10s\"}",
        "{\"name\": \"s\", \"task\": \"add\", \"every\": \"10s\", \"args\": \"x\"}",
        "{\"name\": \"s\", \"task\": \"add\", \"every\": \"10s\", \"options\": {\"countdown\": " + HUGE_NUMBER + "}}",
        "{\"name\": \"\\u0000\", \"task\": \"add\", \"every\": \"10s\"}")) {
      cases.add(new Case(HttpMethod.POST, "/api/schedules", Buffer.buffer(schedule)));
    }
    // event streams that exist: junk in the query or in Last-Event-ID is ignored, never a 5xx
    cases.add(new Case(HttpMethod.GET, "/api/rooms/lobby/events" + junkQuery, null, false).streaming());
    cases.add(new Case(HttpMethod.GET, "/api/rooms/lobby/events", null, false).header("Last-Event-ID", "%00" + "9".repeat(100)).streaming());
    cases.add(new Case(HttpMethod.GET, "/dashboard/events" + junkQuery, null, false).streaming());
    cases.add(new Case(HttpMethod.GET, "/dashboard/events", null, false).header("Last-Event-ID", "-1").streaming());
    cases.add(new Case(HttpMethod.POST, "/dashboard/events", Buffer.buffer("{}")));
    cases.add(new Case(HttpMethod.POST, "/api/rooms/lobby/events", Buffer.buffer(DEEP)));
    return cases;
  }

  @Test
  @DisplayName("every HTTP route answers each bad request with a 4xx")
  void http(Vertx vertx, VertxTestContext testContext) {
    List<String> wrong = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (Case c : httpCases()) {
      chain = chain.compose(v -> send(c).map(status -> {
        if (status >= 500 && !metricsOff(c, status) || c.refuse && status < 400) {
          wrong.add(status + " for " + c);
        }
        return null;
      }));
    }
    chain.onComplete(testContext.succeeding(v -> testContext.verify(() -> {
      assertEquals(List.of(), wrong, "a 5xx, or a bad request not refused");
      assertQuietLog();
      testContext.completeNow();
    })));
  }

  @Test
  @DisplayName("every WebSocket route refuses a bad path with a 4xx and answers bad frames without closing with 1011")
  void websockets(Vertx vertx, VertxTestContext testContext) {
    ws = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxFrameSize(4 * MAX_FRAME).setMaxMessageSize(4 * MAX_FRAME));
    List<String> wrong = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (String path : List.of("/ws/chat/" + "r".repeat(3000), "/ws/chat/%00", "/ws/chat/%E2%82", "/ws/chat/a%2Fb",
        "/ws/tasks/%00", "/ws/tasks/" + "t".repeat(3000), "/ws/nope", "/ws/chat/", "/ws/chat/a/b",
        "/ws/rooms/" + "r".repeat(3000), "/ws/rooms/%00", "/ws/rooms/%E2%82", "/ws/rooms/a%2Fb", "/ws/rooms/", "/ws/rooms/a/b",
        "/ws/rooms/%F0%9F%92%A9", "/ws/rooms/lobby?%ZZ", "/ws/rooms/%20")) {
      chain = chain.compose(v -> handshake(ws, path).map(outcome -> {
        if (!(outcome >= 400 && outcome < 500 || outcome >= 1000 && outcome != 1011)) {
          wrong.add(outcome + " for " + path);
        }
        return null;
      }));
    }
    List<Object> frames = new ArrayList<>(List.of("{", "[]", "null", "{\"message\": 5}", "{\"message\": \"\\ud800\"}",
        "{\"message\": \"a\\u0000b\"}", "{\"message\": " + HUGE_NUMBER + "}", DEEP.substring(0, MAX_FRAME / 2 - 10) + DEEP.substring(DEEP.length() - MAX_FRAME / 2 + 10),
        "\uFEFF{\"message\": \"bom\"}", "{\"message\": \"" + "é".repeat(3000) + "\"}"));
    frames.add(Buffer.buffer(BAD_UTF8));
    frames.add("x".repeat(MAX_FRAME + 1));
    for (String route : List.of("/ws/chat/lobby", "/ws/echo", "/ws/tasks/" + UUID.randomUUID(), "/ws/rooms/lobby")) {
      for (Object frame : frames) {
        chain = chain.compose(v -> frameOutcome(ws, route, frame).map(code -> {
          if (code == 1011) {
            wrong.add(code + " for " + route + " " + frame.toString().substring(0, Math.min(40, frame.toString().length())));
          }
          return null;
        }));
      }
    }
    chain.onComplete(testContext.succeeding(v -> testContext.verify(() -> {
      assertEquals(List.of(), wrong, "WebSocket outcomes");
      assertQuietLog();
      testContext.completeNow();
    })));
  }

  @Test
  @DisplayName("the TCP bridge answers malformed frames with an error or closes the connection, and keeps serving others")
  void tcpBridge(Vertx vertx, VertxTestContext testContext) {
    List<Buffer> frames = new ArrayList<>();
    for (String json : List.of("{", "[]", "null", "42", "{\"type\": \"send\"}",
        "{\"type\": \"send\", \"address\": \"switchboard.bridge.echo\", \"body\": " + HUGE_NUMBER + "}",
        "{\"type\": \"send\", \"address\": \"\\ud800\", \"body\": {}}", "{\"type\": \"nope\"}", DEEP.substring(0, 5000) + DEEP.substring(DEEP.length() - 5000))) {
      frames.add(frame(Buffer.buffer(json)));
    }
    frames.add(frame(Buffer.buffer(BAD_UTF8)));
    Future<Void> chain = Future.succeededFuture();
    for (Buffer bytes : frames) {
      chain = chain.compose(v -> bridgeOutcome(vertx, bytes, true));
    }
    for (String json : List.of("{\"type\": 5}", "{\"type\": \"send\", \"address\": 5}",
        "{\"type\": \"register\", \"address\": [\"sweep.out\"]}", "{\"type\": \"ping\", \"headers\": \"x\"}")) {
      chain = chain.compose(v -> bridgeOutcome(vertx, frame(Buffer.buffer(json)), true));
    }
    // lengths no frame may have: the server closes at once (a ping after them would be read as their body)
    for (Buffer bytes : List.of(Buffer.buffer().appendInt(Integer.MAX_VALUE).appendString("{}"), Buffer.buffer().appendInt(-1),
        Buffer.buffer().appendInt(MAX_FRAME + 1))) {
      chain = chain.compose(v -> bridgeOutcome(vertx, bytes, false));
    }
    chain.compose(v -> bridgeOutcome(vertx, frame(new JsonObject().put("type", "ping").toBuffer()), true))
        .onComplete(testContext.succeeding(v -> testContext.verify(() -> {
          assertQuietLog();
          testContext.completeNow();
        })));
  }

  @Test
  @DisplayName("the TCP echo port answers invalid UTF-8, NUL and every byte value with the same bytes, ASCII upper-cased, "
      + "and a client that vanishes mid-stream costs nothing")
  void tcpEcho(Vertx vertx, VertxTestContext testContext) {
    Buffer input = Buffer.buffer(BAD_UTF8).appendBytes(new byte[] {0, 0, (byte) 0xFF, (byte) 0xFE});
    for (int b = 0; b < 256; b++) {
      input.appendByte((byte) b);
    }
    input.appendString("é\uD83D\uDCA9\uFEFF mixed Case ".repeat(20_000));
    Buffer expected = Buffer.buffer(input.length());
    for (int i = 0; i < input.length(); i++) {
      byte b = input.getByte(i);
      expected.appendByte(b >= 'a' && b <= 'z' ? (byte) (b - 32) : b);
    }
    // a client that writes a megabyte and closes without reading (its kernel answers the echo with a reset), twice
    Future<Void> vanish = net.connect(echoPort, "127.0.0.1").compose(socket -> socket.write(input).compose(v -> socket.close()));
    vanish.compose(v -> net.connect(echoPort, "127.0.0.1")).compose(socket -> {
          socket.write(input);
          return socket.close();
        })
        .compose(v -> net.connect(echoPort, "127.0.0.1"))
        .compose(socket -> {
          Promise<Buffer> echoed = Promise.promise();
          Buffer received = Buffer.buffer();
          socket.handler(data -> {
            received.appendBuffer(data);
            if (received.length() >= expected.length()) {
              echoed.tryComplete(received);
            }
          });
          socket.closeHandler(v -> echoed.tryComplete(received));
          socket.write(input);
          return echoed.future().eventually(socket::close);
        })
        .onComplete(testContext.succeeding(received -> testContext.verify(() -> {
          assertEquals(expected.length(), received.length(), "bytes echoed");
          assertTrue(expected.equals(received), "the echo is the input, ASCII upper-cased");
          assertQuietLog();
          testContext.completeNow();
        })));
  }

  @Test
  @DisplayName("with a JWT key configured, malformed Authorization headers and tokens get a 401 or a close, and a body without "
      + "a JSON Content-Type a 4xx, on every kind of route, never a 5xx")
  void withJwtKey(Vertx vertx, VertxTestContext testContext) {
    ws = vertx.createWebSocketClient();
    String valid = token(vertx, SECRET, new JsonObject().put("sub", "ada"), 300);
    String otherKey = token(vertx, "another-secret", new JsonObject().put("sub", "ada"), 300);
    String expired = token(vertx, SECRET, new JsonObject().put("sub", "ada").put("exp", System.currentTimeMillis() / 1000 - 60), 0);
    String noExpiry = token(vertx, SECRET, new JsonObject().put("sub", "ada").put("iat", 1), 0);
    String unsigned = base64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + base64("{\"sub\":\"root\"}") + ".";
    String wrongTypes = token(vertx, SECRET, new JsonObject().put("sub", new JsonArray().add(1)).put("iat", "yesterday"), 300);
    List<String> authorizations = List.of("", "Bearer", "Bearer ", "Bearer x", "Bearer a.b.c", "Bearer ....", "Bearer %ZZ",
        "Bearer " + "A".repeat(6000), "Basic dXNlcjpwYXNz", "Bearer " + valid + "x", "Bearer " + otherKey, "Bearer " + expired,
        "Bearer " + noExpiry, "Bearer " + unsigned, "Bearer " + wrongTypes, "Bearer " + valid + " " + valid, "Bearer \u00e9\u00e9",
        "Bearer " + base64("{") + "." + base64("[]") + "." + base64("x"), "Token " + valid);
    List<Case> cases = new ArrayList<>();
    Buffer task = Buffer.buffer("{\"args\": [1, 2]}");
    Buffer message = Buffer.buffer("{\"message\": \"hi\"}");
    List<Case> routes = List.of(new Case(HttpMethod.GET, "/api/tasks", null), new Case(HttpMethod.POST, "/api/tasks/add", task),
        new Case(HttpMethod.GET, "/api/rooms/lobby/messages", null), new Case(HttpMethod.POST, "/api/rooms/lobby/messages", message),
        new Case(HttpMethod.GET, "/metrics", null), new Case(HttpMethod.GET, "/api/channels/stats", null),
        new Case(HttpMethod.GET, "/api/schedules", null), new Case(HttpMethod.DELETE, "/api/queues/default/tasks", null),
        new Case(HttpMethod.GET, "/dashboard/events", null).streaming(), new Case(HttpMethod.GET, "/api/rooms/lobby/events", null).streaming(),
        new Case(HttpMethod.GET, "/api/cluster", null), new Case(HttpMethod.GET, "/eventbus/info", null));
    for (Case route : routes) {
      cases.add(route);
      for (String authorization : authorizations) {
        cases.add(route.header("Authorization", authorization));
      }
      cases.add(new Case(route.method, route.uri + (route.uri.contains("?") ? "&" : "?") + "token=garbage", route.body).streaming());
    }
    cases.add(new Case(HttpMethod.GET, "/health", null, false).header("Authorization", "Bearer x"));
    // with a valid token, a body must still be declared JSON
    for (Case post : List.of(new Case(HttpMethod.POST, "/api/tasks/add", task), new Case(HttpMethod.POST, "/api/rooms/lobby/messages", message),
        new Case(HttpMethod.POST, "/api/workflows", Buffer.buffer("{\"task\": \"add\", \"args\": [1, 2]}")),
        new Case(HttpMethod.POST, "/api/schedules", Buffer.buffer("{\"name\": \"s\", \"task\": \"add\", \"every\": \"1h\"}")))) {
      Case authorized = post.header("Authorization", "Bearer " + valid);
      for (String type : java.util.Arrays.asList(null, "", "text/plain", "application/x-www-form-urlencoded",
          "multipart/form-data; boundary=x", "application/jsonx", "json", "\u00e9/\u00e9", ";", "application/xml")) {
        cases.add(authorized.header("Content-Type", type));
      }
    }
    List<String> wrong = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (Case c : cases) {
      chain = chain.compose(v -> send(c).map(status -> {
        if (status >= 500 && !metricsOff(c, status) || c.refuse && status < 400) {
          wrong.add(status + " for " + c);
        }
        return null;
      }));
    }
    for (String query : List.of("", "?token=", "?token=garbage", "?token=%ZZ", "?token=" + expired, "?token=" + unsigned,
        "?token=" + otherKey, "?%74oken=" + valid.substring(0, 20), "?token=a;token=b", "?token=" + "A".repeat(6000))) {
      for (String path : List.of("/ws/echo", "/ws/chat/lobby", "/ws/rooms/lobby")) {
        chain = chain.compose(v -> handshake(ws, path + query).map(outcome -> {
          if (!(outcome >= 400 && outcome < 500 || outcome >= 1000 && outcome != 1011)) {
            wrong.add(outcome + " for " + path + query.substring(0, Math.min(40, query.length())));
          }
          return null;
        }));
      }
    }
    for (String headers : List.of("{}", "{\"authorization\": \"Bearer x\"}", "{\"authorization\": 5}",
        "{\"authorization\": \"Bearer " + expired + "\"}", "{\"authorization\": \"Bearer " + unsigned + "\"}", "[]")) {
      chain = chain.compose(v -> bridgeOutcome(vertx, frame(Buffer.buffer("{\"type\": \"ping\", \"headers\": " + headers + "}")), false));
    }
    chain.onComplete(testContext.succeeding(v -> testContext.verify(() -> {
      assertEquals(List.of(), wrong, "a 5xx, or a bad token or body type not refused");
      assertQuietLog();
      testContext.completeNow();
    })));
  }

  /** A token signed HS256 with {@code secret}; {@code expiresIn} 0 leaves {@code exp} to the claims. */
  private static String token(Vertx vertx, String secret, JsonObject claims, int expiresIn) {
    JWTOptions options = new JWTOptions();
    if (expiresIn > 0) {
      options.setExpiresInSeconds(expiresIn);
    } else {
      options.setNoTimestamp(true);
    }
    return JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret)))
        .generateToken(claims, options);
  }

  private static String base64(String text) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * No stack trace anywhere, and nothing of ours at ERROR. (vertx-tcp-eventbus-bridge logs one ERROR line, without a
   * trace, for each frame that is not JSON: the library's, and bounded by the per-IP connection limits.)
   */
  private void assertQuietLog() {
    List<String> loud = log.list.stream()
        .filter(event -> event.getThrowableProxy() != null
            || event.getLevel().isGreaterOrEqual(Level.ERROR) && event.getLoggerName().startsWith("dev.switchboard"))
        .map(event -> event.getLevel() + " " + event.getLoggerName() + ": " + event.getFormattedMessage()
            + (event.getThrowableProxy() == null ? "" : " / " + event.getThrowableProxy().getClassName()))
        .toList();
    assertTrue(loud.isEmpty(), "logged with a stack trace or at ERROR:\n" + String.join("\n", loud));
  }

  private Future<Integer> send(Case c) {
    RequestOptions options = new RequestOptions().setMethod(c.method).setHost("127.0.0.1").setPort(node.port()).setURI(c.uri)
        .putHeader("Content-Type", "application/json");
    c.headers.forEach((name, value) -> {
      if (value == null) {
        options.removeHeader(name);
      } else {
        options.putHeader(name, value);
      }
    });
    return http.request(options)
        .compose(request -> (c.body == null ? request.send() : request.send(c.body)).compose(response -> {
          if (c.stream && response.statusCode() == 200) {
            response.exceptionHandler(err -> { }); // the reset below is ours
            request.reset(); // an event stream never ends: its status is the answer
            return Future.succeededFuture(200);
          }
          return response.body().map(body -> response.statusCode());
        }))
        // a 413 may be answered before the whole body is sent, and the connection then closed
        .recover(err -> c.body != null && c.body.length() > MAX_BODY ? Future.succeededFuture(413) : Future.failedFuture(err));
  }

  /**
   * The refusal's HTTP status, or the close code once the server closes, or 1000 when the socket was accepted and
   * answered the marker frame (the client then closes).
   */
  private Future<Integer> handshake(WebSocketClient ws, String path) {
    if (path.contains("%ZZ")) {
      return rawHandshake(path);
    }
    return ws.connect(node.port(), "127.0.0.1", path)
        .compose(socket -> {
          Future<Integer> outcome = firstCloseOrMessage(socket);
          socket.writeTextMessage("{\"message\": \"after\"}"); // an accepted socket answers it (or closes)
          return outcome;
        })
        .recover(err -> err instanceof UpgradeRejectedException rejected
            ? Future.succeededFuture(rejected.getStatus()) : Future.failedFuture(err));
  }

  /**
   * The status line's code for an upgrade request sent by hand: Vert.x's WebSocket client did not complete its Future
   * for a URI with a malformed escape (the server answers 400 at once, as curl shows), so those go over a plain socket.
   */
  private Future<Integer> rawHandshake(String path) {
    return net.connect(node.port(), "127.0.0.1").compose(socket -> {
      Promise<Integer> status = Promise.promise();
      Buffer received = Buffer.buffer();
      socket.handler(data -> {
        received.appendBuffer(data);
        String head = received.toString(StandardCharsets.ISO_8859_1);
        if (head.contains("\r\n")) {
          status.tryComplete(Integer.parseInt(head.substring(head.indexOf(' ') + 1, head.indexOf(' ') + 4)));
          socket.close();
        }
      });
      socket.closeHandler(v -> status.tryFail("closed without a status line: " + received));
      socket.write("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + node.port() + "\r\nConnection: Upgrade\r\n"
          + "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
      return status.future();
    });
  }

  private Future<Integer> frameOutcome(WebSocketClient ws, String route, Object frame) {
    return ws.connect(node.port(), "127.0.0.1", route).compose(socket -> {
      Future<Integer> outcome = firstCloseOrMessage(socket);
      if (frame instanceof Buffer bytes) {
        socket.writeBinaryMessage(bytes);
      } else {
        socket.writeTextMessage((String) frame);
      }
      // a marker after the bad frame: its answer (echo, or chat's error frame) proves the bad one was handled
      socket.writeTextMessage("{\"message\": \"after\"}");
      return outcome;
    });
  }

  /**
   * Waits for the server's close (its code) or, when the socket stays open, for a message that answers the marker
   * frame sent last (chat's broadcast or error, echo's upper-cased text), then closes normally (1000).
   */
  private Future<Integer> firstCloseOrMessage(WebSocket socket) {
    Promise<Integer> outcome = Promise.promise();
    socket.closeHandler(v -> outcome.tryComplete(socket.closeStatusCode() == null ? 1006 : (int) socket.closeStatusCode()));
    socket.textMessageHandler(text -> {
      if (text.toLowerCase().contains("after")) {
        outcome.tryComplete(1000);
        socket.close();
      }
    });
    socket.exceptionHandler(err -> { });
    return outcome.future();
  }

  private static Buffer frame(Buffer json) {
    return Buffer.buffer().appendInt(json.length()).appendBuffer(json);
  }

  /** Writes {@code bytes}, then (if {@code ping}) a ping: done when the pong comes back or the server closes the connection. */
  private Future<Void> bridgeOutcome(Vertx vertx, Buffer bytes, boolean ping) {
    return net.connect(bridgePort, "127.0.0.1").compose(socket -> {
      Promise<Void> done = Promise.promise();
      Buffer received = Buffer.buffer();
      socket.handler(data -> {
        received.appendBuffer(data);
        if (received.toString(StandardCharsets.ISO_8859_1).contains("\"pong\"")) {
          done.tryComplete();
          socket.close();
        }
      });
      socket.closeHandler(v -> done.tryComplete());
      socket.write(bytes);
      if (ping) {
        socket.write(frame(new JsonObject().put("type", "ping").toBuffer()));
      }
      return done.future();
    });
  }
}

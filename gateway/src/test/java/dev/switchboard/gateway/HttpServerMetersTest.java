package dev.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.shared.config.SwitchboardConfig;
import dev.switchboard.shared.metrics.SwitchboardMetrics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The gateway's HTTP server meters, as an operator scrapes them: requests and response times by route template,
 * method and code under vertx-micrometer's names, in a Vert.x built with metrics as a node builds it; their bound;
 * and WebSocket upgrades left out of the active requests.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
@DisplayName("HTTP server meters: counted and timed by route, method and code, bounded, upgrades not left active")
class HttpServerMetersTest {

  private Vertx node;
  private HttpClient client;
  // a field: Vert.x closes an unreachable client (a Cleaner), and with it the sockets and requests using it
  private WebSocketClient sockets;
  private int port;

  @BeforeEach
  void deploy(VertxTestContext test) {
    PrometheusMeterRegistry registry = SwitchboardMetrics.newRegistry();
    node = SwitchboardMetrics.attach(SwitchboardMetrics.enable(Vertx.builder(), new VertxOptions(), registry).build(), registry);
    client = node.createHttpClient();
    GatewayVerticle gateway = GatewayVerticle.standalone();
    JsonObject config = SwitchboardConfig.fromJson(new JsonObject()
        .put("http", new JsonObject().put("port", 0).put("instances", 1).put("host", "127.0.0.1"))
        .put("roles", new JsonArray().add("gateway"))).toJson();
    node.deployVerticle(gateway, new DeploymentOptions().setConfig(config))
        .onSuccess(id -> port = gateway.actualPort())
        .onComplete(test.succeedingThenComplete());
  }

  @AfterEach
  void close(VertxTestContext test) {
    node.close().onComplete(test.succeedingThenComplete());
  }

  @Test
  @DisplayName("/metrics shows GET /api/ping 200 three times under its route template with their response times and "
      + "bytes, a path no route serves as route=\"unmatched\" 404, a request refused at once by its route's guard under "
      + "that route, and the scrape itself as the one active GET")
  void countedByRouteMethodAndCode(VertxTestContext test) {
    Future<Integer> requests = send(HttpMethod.GET, "/api/ping")
        .compose(code -> send(HttpMethod.GET, "/api/ping"))
        .compose(code -> send(HttpMethod.GET, "/api/ping"))
        .compose(code -> send(HttpMethod.GET, "/no/such/path/42"))
        .compose(code -> send(HttpMethod.GET, "/api/tasks"));
    requests.compose(code -> scrape()).onComplete(test.succeeding(text -> test.verify(() -> {
      String ping = "{code=\"200\",method=\"GET\",route=\"/api/ping\"}";
      assertEquals(3, sample(text, "vertx_http_server_requests_total" + ping), text);
      assertEquals(3, sample(text, "vertx_http_server_response_time_seconds_count" + ping), text);
      assertTrue(sample(text, "vertx_http_server_response_time_seconds_sum" + ping) > 0, text);
      assertTrue(sample(text, "vertx_http_server_response_time_seconds_max" + ping) > 0, text);
      assertEquals(3 * 13, sample(text, "vertx_http_server_response_bytes_sum" + ping), "{\"pong\":true} is 13 bytes");
      assertEquals(1, sample(text, "vertx_http_server_requests_total{code=\"404\",method=\"GET\",route=\"unmatched\"}"), text);
      // refused at once (no Redis here) by a handler in front of the route: still under the route's template
      assertEquals(1, sample(text, "vertx_http_server_requests_total{code=\"503\",method=\"GET\",route=\"/api/tasks\"}"), text);
      assertEquals(1, sample(text, "vertx_http_server_active_requests{method=\"GET\"}"), "the scrape itself");
      assertTrue(sample(text, "vertx_http_server_active_connections") >= 1, "the client's connections");
      test.completeNow();
    })));
  }

  @Test
  @DisplayName("past the bound on (route, method, code), requests go to the route=\"other\" series and are counted as overflow")
  void bounded(VertxTestContext test) {
    MeterRegistry registry = new SimpleMeterRegistry();
    HttpServerMeters meters = new HttpServerMeters(registry, 2);
    Router router = Router.router(node);
    router.route().handler(meters::record);
    for (String path : List.of("/a", "/b", "/c")) {
      router.get(path).handler(rc -> rc.end("ok"));
    }
    serve(router).compose(s -> send(HttpMethod.GET, "/a"))
        .compose(code -> send(HttpMethod.GET, "/b"))
        .compose(code -> send(HttpMethod.GET, "/c"))
        .compose(code -> send(HttpMethod.GET, "/a"))
        .onComplete(test.succeeding(code -> test.verify(() -> {
          assertEquals(2, registry.get("vertx.http.server.requests").tag("route", "/a").counter().count());
          assertEquals(1, registry.get("vertx.http.server.requests").tag("route", "/b").counter().count());
          assertEquals(null, registry.find("vertx.http.server.requests").tag("route", "/c").counter());
          assertEquals(1, registry.get("vertx.http.server.requests").tag("route", HttpServerMeters.OTHER)
              .tag("code", HttpServerMeters.OTHER).counter().count());
          assertEquals(1, registry.get("switchboard.http.server.meters.overflow").counter().count());
          test.completeNow();
        })));
  }

  @Test
  @DisplayName("a WebSocket upgraded through the router is not an active request while it is open, nor after")
  void upgradeNotActive(VertxTestContext test) {
    MeterRegistry registry = new SimpleMeterRegistry();
    HttpServerMeters meters = new HttpServerMeters(registry, 10);
    Router router = Router.router(node);
    router.route().handler(meters::record);
    router.get("/ws").handler(rc -> rc.request().toWebSocket().onSuccess(ws -> ws.writeTextMessage("hello")));
    sockets = node.createWebSocketClient();
    serve(router)
        .compose(s -> sockets.connect(port, "127.0.0.1", "/ws"))
        .compose(ws -> {
          Future<String> greeted = Future.future(promise -> ws.textMessageHandler(promise::tryComplete));
          return greeted.compose(text -> {
            test.verify(() -> assertEquals(0, active(registry), "active requests while the socket is open"));
            return ws.close();
          });
        })
        .compose(v -> send(HttpMethod.GET, "/after"))
        .onComplete(test.succeeding(code -> test.verify(() -> {
          assertEquals(0, active(registry), "active requests after");
          test.completeNow();
        })));
  }

  private static double active(MeterRegistry registry) {
    Gauge gauge = registry.find("vertx.http.server.active.requests").tag("method", "GET").gauge();
    return gauge == null ? 0 : gauge.value();
  }

  private Future<HttpServer> serve(Router router) {
    return node.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").onSuccess(s -> port = s.actualPort());
  }

  private Future<Integer> send(HttpMethod method, String path) {
    return client.request(method, port, "127.0.0.1", path)
        .compose(request -> request.send())
        .compose(response -> response.body().map(body -> response.statusCode()));
  }

  private Future<String> scrape() {
    return client.request(HttpMethod.GET, port, "127.0.0.1", "/metrics")
        .compose(request -> request.send())
        .compose(HttpClientResponse::body)
        .map(Object::toString);
  }

  /** The value of the sample {@code nameAndLabels} (exactly as Prometheus prints it, labels sorted); 0 when absent. */
  private static double sample(String text, String nameAndLabels) {
    return text.lines().filter(line -> line.startsWith(nameAndLabels + " ")).findFirst()
        .map(line -> Double.parseDouble(line.substring(nameAndLabels.length() + 1).trim())).orElse(0.0);
  }
}

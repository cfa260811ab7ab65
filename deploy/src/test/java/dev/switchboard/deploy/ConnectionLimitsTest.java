package dev.switchboard.deploy;

import dev.switchboard.shared.channels.ChannelLayerVerticle;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.consumers.ConsumersVerticle;
import dev.switchboard.gateway.GatewayServices;
import dev.switchboard.gateway.GatewayVerticle;
import dev.switchboard.gateway.RouteDirectory;
import dev.switchboard.gateway.TcpBridgeVerticle;
import dev.switchboard.shared.config.SwitchboardConfig;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
@DisplayName("Per-IP connection limits hold under a bounded flood from 127.0.0.1")
class ConnectionLimitsTest {

  private int httpPort;
  private int bridgePort;
  /**
   * A field, not a local: Vert.x closes a client that has become unreachable (a Cleaner), and a client referenced
   * only by a lambda that has already run is — a GC in the middle of the flood then closed every handshake at once.
   */
  private WebSocketClient client;
  private NetClient net;   // the same, for the bridge connections a test holds open

  @BeforeEach
  void client(Vertx vertx) {
    client = vertx.createWebSocketClient();
    net = vertx.createNetClient();
  }

  private Future<?> deploy(Vertx vertx, int perSecond, int burst, int maxPerIp) {
    return deploy(vertx, perSecond, burst, maxPerIp, 10_000);
  }

  private Future<?> deploy(Vertx vertx, int perSecond, int burst, int maxPerIp, int maxTrackedIps) {
    JsonObject config = SwitchboardConfig.fromJson(new JsonObject()
        .put("http", new JsonObject().put("port", 0).put("instances", 2).put("host", "127.0.0.1"))
        .put("limits", new JsonObject().put("connectionsPerSecond", perSecond).put("connectionBurst", burst)
            .put("maxConnectionsPerIp", maxPerIp).put("maxTrackedIps", maxTrackedIps))
        .put("tcpBridge", new JsonObject().put("port", 0))
        .put("roles", new JsonArray().add("gateway").add("consumers"))).toJson();
    DeploymentOptions options = new DeploymentOptions().setConfig(config);
    List<GatewayVerticle> gateways = new ArrayList<>();
    // as a node does: one set of limits for both gateway instances and the bridge
    RouteDirectory routes = new RouteDirectory(vertx);
    GatewayServices services = GatewayServices.create(vertx, SwitchboardConfig.fromJson(config), routes, null);
    TcpBridgeVerticle bridge = new TcpBridgeVerticle(services);
    return vertx.deployVerticle(ChannelLayerVerticle.standalone(), options)
        .compose(v -> vertx.deployVerticle(ConsumersVerticle.standalone(), options))
        .compose(v -> vertx.deployVerticle(routes.verticle(), options))
        .compose(v -> vertx.deployVerticle(() -> {
          GatewayVerticle gateway = new GatewayVerticle(services, null);
          synchronized (gateways) {
            gateways.add(gateway);
          }
          return gateway;
        }, new DeploymentOptions(options).setInstances(2)))
        .compose(v -> vertx.deployVerticle(bridge, options))
        .onSuccess(v -> {
          httpPort = gateways.get(0).actualPort();
          bridgePort = bridge.actualPort();
        });
  }

  @Test
  @DisplayName("a flood of 40 handshakes gets the burst through and 429 for the rest, across event loops")
  void connectionRate(Vertx vertx, VertxTestContext testContext) {
    int flood = 40;
    int burst = 5;
    deploy(vertx, 1, burst, 1000).compose(v -> {
      long started = System.nanoTime();
      List<Future<Integer>> attempts = IntStream.range(0, flood)
          .mapToObj(i -> status(client.connect(httpPort, "127.0.0.1", "/ws/echo"))).toList();
      return Future.all(attempts).map(all -> {
        long admitted = attempts.stream().filter(f -> f.result() == 101).count();
        long refused = attempts.stream().filter(f -> f.result() == 429).count();
        double seconds = (System.nanoTime() - started) / 1e9;
        return new long[] {admitted, refused, (long) Math.ceil(seconds)};
      });
    }).onComplete(testContext.succeeding(counts -> testContext.verify(() -> {
      long admitted = counts[0];
      long refused = counts[1];
      assertEquals(flood, admitted + refused, "every attempt is either admitted or refused with 429");
      assertTrue(admitted >= burst && admitted <= burst + counts[2], "admitted " + admitted + " in " + counts[2] + " s");
      testContext.completeNow();
    })));
  }

  @Test
  @DisplayName("past maxConnectionsPerIp open WebSockets the next is refused with 429, and a closed one frees its slot")
  void concurrentWebSockets(Vertx vertx, VertxTestContext testContext) {
    List<WebSocket> open = new java.util.concurrent.CopyOnWriteArrayList<>();
    deploy(vertx, 1000, 1000, 3)
        .compose(v -> Future.all(IntStream.range(0, 3).mapToObj(i -> client.connect(httpPort, "127.0.0.1", "/ws/echo")
            .onSuccess(open::add)).toList()))
        .compose(v -> status(client.connect(httpPort, "127.0.0.1", "/ws/echo")))
        .compose(fourth -> {
          testContext.verify(() -> assertEquals(429, fourth));
          return open.get(0).close().compose(v -> eventually(vertx, () -> status(client.connect(httpPort, "127.0.0.1", "/ws/echo")), 101, 50));
        })
        .onComplete(testContext.succeeding(again -> testContext.verify(() -> {
          assertEquals(101, again);
          testContext.completeNow();
        })));
  }

  @Test
  @DisplayName("past maxConnectionsPerIp open bridge connections the next are closed by the server, the first stay served")
  void concurrentBridgeConnections(Vertx vertx, VertxTestContext testContext) {
    List<NetSocket> sockets = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<Boolean> served = new java.util.concurrent.CopyOnWriteArrayList<>();
    Future<?> chain = deploy(vertx, 1000, 1000, 3);
    for (int i = 0; i < 6; i++) {
      chain = chain.compose(v -> bridgeConnection(vertx, sockets)).onSuccess(served::add);
    }
    chain.onComplete(testContext.succeeding(v -> testContext.verify(() -> {
      sockets.forEach(NetSocket::close);
      assertEquals(List.of(true, true, true, false, false, false), served);
      testContext.completeNow();
    })));
  }

  @Test
  @DisplayName("an IP at its cap stays capped after connections from more than maxTrackedIps other addresses")
  void capSurvivesManyOtherAddresses(Vertx vertx, VertxTestContext testContext) {
    int tracked = 16;
    Future<?> chain = deploy(vertx, 1000, 1000, 2, tracked)
        .compose(v -> client.connect(httpPort, "127.0.0.1", "/ws/echo"))
        .compose(v -> client.connect(httpPort, "127.0.0.1", "/ws/echo"));
    for (int i = 2; i < tracked + 4; i++) {
      // each other address connects and leaves: before the fix, each pushed 127.0.0.1 towards eviction
      String local = "127.0.0." + i;
      chain = chain.compose(v -> {
        WebSocketClient other = vertx.createWebSocketClient(new WebSocketClientOptions().setLocalAddress(local));
        return other.connect(httpPort, "127.0.0." + 1, "/ws/echo").compose(WebSocket::close).eventually(other::close);
      });
    }
    chain.compose(v -> status(client.connect(httpPort, "127.0.0.1", "/ws/echo")))
        .onComplete(testContext.succeeding(third -> testContext.verify(() -> {
          assertEquals(429, third, "127.0.0.1 holds 2 open connections, its cap");
          testContext.completeNow();
        })));
  }

  /** Opens one bridge connection: true when it answers a ping (and stays open), false when the server closes it. */
  private Future<Boolean> bridgeConnection(Vertx vertx, List<NetSocket> sockets) {
    Promise<Boolean> outcome = Promise.promise();
    net.connect(bridgePort, "127.0.0.1").onSuccess(socket -> {
      sockets.add(socket);
      socket.closeHandler(x -> outcome.tryComplete(false));
      PolyglotBridgeTest.BridgeFrames frames = new PolyglotBridgeTest.BridgeFrames(socket);
      frames.collectUntilPong().onSuccess(pong -> outcome.tryComplete(true));
      frames.write(new JsonObject().put("type", "ping"));
    }).onFailure(outcome::tryFail);
    return outcome.future();
  }

  private static Future<Integer> status(Future<WebSocket> connect) {
    return connect.compose(ws -> Future.succeededFuture(101))
        .recover(err -> {
          if (err instanceof UpgradeRejectedException rejected) {
            return Future.succeededFuture(rejected.getStatus());
          }
          // The server answers a refusal and closes at once; on a loaded machine the client may see the close
          // before it has parsed the 429. Only a refused handshake is closed that way, so count it as one.
          if (err instanceof io.netty.handler.codec.http.websocketx.WebSocketHandshakeException
              && String.valueOf(err.getMessage()).contains("Connection closed while handshake")) {
            return Future.succeededFuture(429);
          }
          return Future.failedFuture(err);
        });
  }

  /** Retries {@code attempt} every 50 ms (the slot frees when the server sees the close) until it yields {@code wanted}. */
  private static Future<Integer> eventually(Vertx vertx, java.util.function.Supplier<Future<Integer>> attempt, int wanted, int tries) {
    return attempt.get().compose(result -> result == wanted || tries <= 1
        ? Future.succeededFuture(result)
        : vertx.timer(50).compose(t -> eventually(vertx, attempt, wanted, tries - 1)));
  }
}

package dev.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.api.protocol.Asgi;
import dev.switchboard.shared.channels.ChannelLayerVerticle;
import dev.switchboard.shared.config.SwitchboardConfig;
import dev.switchboard.shared.protocol.Addresses;
import dev.switchboard.shared.routes.Route;
import dev.switchboard.shared.routes.RouteAnnouncer;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What a handshake gets when its route is announced but its consumer does not answer: nobody registered → 503 as
 * soon as the registration could have propagated, not after the whole connect timeout; an instance that took the
 * connect but did not answer in time → 504, and the consumer is told (a disconnect on its shared address), since
 * it may have set up state for a socket that will never exist.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
@DisplayName("A handshake whose consumer is absent or too slow")
class ConnectOutcomeTest {

  private static final int CONNECT_TIMEOUT_MS = 1500;
  private static final int ABSENT_CONNECT_TIMEOUT_MS = 30_000;

  private final Promise<String> connectHeard = Promise.promise();
  private final Promise<JsonObject> disconnectHeard = Promise.promise();
  // a field: Vert.x closes an unreachable client (a Cleaner), and with it the sockets and requests using it
  private NetClient net;

  @BeforeEach
  void client(Vertx vertx) {
    net = vertx.createNetClient();
  }

  private Future<Integer> gateway(Vertx vertx, int connectTimeoutMs) {
    JsonObject config = SwitchboardConfig.fromJson(new JsonObject()
        .put("http", new JsonObject().put("port", 0).put("instances", 1).put("host", "127.0.0.1"))
        .put("websocket", new JsonObject().put("connectTimeoutMs", connectTimeoutMs))
        .put("roles", new JsonArray().add("gateway"))).toJson();
    DeploymentOptions options = new DeploymentOptions().setConfig(config);
    GatewayVerticle gateway = GatewayVerticle.standalone();
    return vertx.deployVerticle(ChannelLayerVerticle.standalone(), options)
        .compose(v -> vertx.eventBus().<JsonObject>consumer(Addresses.consumer("mute"), message -> {
          // takes every connect and never answers; hears what else arrives on its shared address
          JsonObject event = message.body();
          if (Asgi.CONNECT.equals(Asgi.type(event))) {
            connectHeard.tryComplete(event.getString(Asgi.CHANNEL));
          } else {
            disconnectHeard.tryComplete(event);
          }
        }).completion())
        .compose(v -> new RouteAnnouncer(vertx, "test").announce(List.of(
            Route.websocket("/ws/mute", "mute"), Route.websocket("/ws/nobody", "nobody"))))
        .compose(v -> vertx.deployVerticle(gateway, options))
        .map(v -> gateway.actualPort());
  }

  /** The status line's code of an upgrade request, read from a raw socket (what any client would see first). */
  private Future<Integer> status(int port, String path) {
    return net.connect(port, "127.0.0.1").compose(socket -> {
      Promise<Integer> status = Promise.promise();
      io.vertx.core.buffer.Buffer received = io.vertx.core.buffer.Buffer.buffer();
      socket.handler(bytes -> {
        received.appendBuffer(bytes);
        String text = received.toString();
        if (text.contains("\r\n")) {
          status.tryComplete(Integer.parseInt(text.substring(9, 12)));
          socket.close();
        }
      });
      socket.closeHandler(v -> status.tryFail("closed without an answer, after: " + received));
      socket.write("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
          + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
      return status.future();
    });
  }

  @Test
  @DisplayName("an announced route with no instance registered answers 503 within the registration grace, not the connect timeout")
  void absentConsumer(Vertx vertx, VertxTestContext testContext) {
    gateway(vertx, ABSENT_CONNECT_TIMEOUT_MS).compose(port -> {
      long started = System.nanoTime();
      return status(port, "/ws/nobody").map(status -> List.of((long) status, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)));
    }).onComplete(testContext.succeeding(outcome -> testContext.verify(() -> {
      assertEquals(503L, outcome.get(0));
      assertTrue(outcome.get(1) < ABSENT_CONNECT_TIMEOUT_MS / 3,
          "503 after " + outcome.get(1) + " ms: the handshake was held toward the " + ABSENT_CONNECT_TIMEOUT_MS + " ms connect timeout");
      testContext.completeNow();
    })));
  }

  @Test
  @DisplayName("a connect taken but not answered in time gets 504, and the consumer hears websocket.disconnect for that channel")
  void slowConsumerIsTold(Vertx vertx, VertxTestContext testContext) {
    gateway(vertx, CONNECT_TIMEOUT_MS)
        .compose(port -> status(port, "/ws/mute"))
        .compose(status -> connectHeard.future().compose(channel -> disconnectHeard.future().map(disconnect -> {
          testContext.verify(() -> {
            assertEquals(504, status);
            assertEquals(Asgi.DISCONNECT, Asgi.type(disconnect));
            assertEquals(channel, disconnect.getString(Asgi.CHANNEL));
          });
          return disconnect;
        })))
        .onComplete(testContext.succeedingThenComplete());
  }
}

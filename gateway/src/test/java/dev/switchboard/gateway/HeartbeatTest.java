package dev.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.api.protocol.Asgi;
import dev.switchboard.shared.channels.ChannelInbox;
import dev.switchboard.shared.channels.ChannelLayerVerticle;
import dev.switchboard.shared.config.SwitchboardConfig;
import dev.switchboard.shared.metrics.MetricNames;
import dev.switchboard.shared.metrics.SwitchboardMetrics;
import dev.switchboard.shared.protocol.Addresses;
import dev.switchboard.shared.routes.Route;
import dev.switchboard.shared.routes.RouteAnnouncer;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.TimeUnit;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Heartbeats: the gateway pings every {@code websocket.pingIntervalMs} and closes a socket that has sent nothing,
 * not even a pong, for two intervals. The silent peer here is a raw TCP client that completes the upgrade and then
 * never writes another byte (what a half-open connection looks like from the server); beside it a real WebSocket
 * client, which answers pings, stays open.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
@DisplayName("Heartbeats close silent peers and keep live ones")
class HeartbeatTest {

  private static final int INTERVAL_MS = 1000;
  private static final String INSTANCE = "test.heartbeat.instance";

  private int port;
  private WebSocketClient client;   // held: Vert.x 5 closes a client that is garbage collected

  @BeforeEach
  void deploy(Vertx vertx, VertxTestContext testContext) {
    JsonObject config = SwitchboardConfig.fromJson(new JsonObject()
        .put("http", new JsonObject().put("port", 0).put("instances", 1).put("host", "127.0.0.1"))
        .put("websocket", new JsonObject().put("pingIntervalMs", INTERVAL_MS))
        .put("roles", new JsonArray().add("gateway"))).toJson();
    DeploymentOptions options = new DeploymentOptions().setConfig(config);
    GatewayVerticle gateway = GatewayVerticle.standalone();
    vertx.deployVerticle(ChannelLayerVerticle.standalone(), options)
        .compose(v -> vertx.eventBus().<JsonObject>consumer(Addresses.consumer("upper"),
            msg -> msg.reply(new JsonObject().put(Asgi.TYPE, Asgi.ACCEPT).put(Asgi.INSTANCE, INSTANCE).put(Asgi.NODE, "test")))
            .completion())
        .compose(v -> vertx.eventBus().<JsonObject>consumer(INSTANCE, msg -> upperCase(vertx, msg)).completion())
        .compose(v -> new RouteAnnouncer(vertx, "test").announce(List.of(Route.websocket("/ws/upper", "upper"))))
        .compose(v -> vertx.deployVerticle(gateway, options))
        .onSuccess(v -> port = gateway.actualPort())
        .onComplete(testContext.succeedingThenComplete());
  }

  private static void upperCase(Vertx vertx, Message<JsonObject> msg) {
    JsonObject event = msg.body();
    if (Asgi.RECEIVE.equals(Asgi.type(event)) && event.containsKey(Asgi.TEXT)) {
      ChannelInbox.send(vertx.eventBus(), event.getString(Asgi.CHANNEL), Asgi.sendText(event.getString(Asgi.TEXT).toUpperCase()));
    }
  }

  @Test
  @DisplayName("a peer that stops answering is pinged, then closed with 1001 and its TCP connection dropped about two "
      + "intervals after its last frame, counted as 'silent'; a client that answers pings is still open and echoing")
  void silentPeerClosedLiveOneKept(Vertx vertx, VertxTestContext test) {
    client = vertx.createWebSocketClient();
    Future<WebSocket> live = client.connect(port, "127.0.0.1", "/ws/upper");
    SilentPeer silent = new SilentPeer();
    live.compose(ws -> silent.connect(vertx, port))
        .compose(upgradedAt -> silent.closed.future().map(closedAt -> (closedAt - upgradedAt) / 1_000_000))
        .compose(silentForMs -> {
          test.verify(() -> {
            System.out.printf("silent peer: %d pings, close code %d, TCP dropped %d ms after its last frame (interval %d ms)%n",
                silent.pings, silent.closeCode, silentForMs, INTERVAL_MS);
            assertTrue(silent.pings >= 1, "pinged before being closed");
            assertEquals(1001, silent.closeCode, "close frame status");
            assertTrue(silentForMs >= 2L * INTERVAL_MS, "closed after only " + silentForMs + " ms");
            // two intervals, a quarter for the sweep, and the closing timeout (1 s here) for a peer that never answers
            assertTrue(silentForMs < 4L * INTERVAL_MS, "still connected after " + silentForMs + " ms");
            Counter counter = SwitchboardMetrics.registry(vertx).find(MetricNames.WEBSOCKET_HEARTBEAT_CLOSES)
                .tag(MetricNames.REASON, "silent").counter();
            assertEquals(1.0, counter == null ? 0 : counter.count(), "heartbeat closes counted");
          });
          // the later event: the live client, open longer than the silent one, still answers
          Promise<String> echo = Promise.promise();
          live.result().textMessageHandler(echo::tryComplete);
          live.result().writeTextMessage("still here");
          return echo.future();
        })
        .onComplete(test.succeeding(text -> test.verify(() -> {
          assertEquals("STILL HERE", text);
          assertTrue(!live.result().isClosed(), "the live socket is open");
          test.completeNow();
        })));
  }

  /** Upgrades over raw TCP, then only reads: counts pings, records the close frame's code and the TCP close. */
  private static final class SilentPeer {
    final Promise<Long> closed = Promise.promise();
    int pings;
    int closeCode = -1;
    private Buffer pending = Buffer.buffer();
    private boolean upgraded;
    private NetClient net;   // held: Vert.x 5 closes a client that is garbage collected

    Future<Long> connect(Vertx vertx, int port) {
      Promise<Long> upgradedAt = Promise.promise();
      net = vertx.createNetClient();
      return net.connect(port, "127.0.0.1").compose(socket -> {
        socket.closeHandler(v -> closed.tryComplete(System.nanoTime()));
        socket.handler(bytes -> read(bytes, upgradedAt));
        return socket.write("GET /ws/upper HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
      }).compose(v -> upgradedAt.future());
    }

    private void read(Buffer bytes, Promise<Long> upgradedAt) {
      pending.appendBuffer(bytes);
      if (!upgraded) {
        String head = pending.toString();
        int end = head.indexOf("\r\n\r\n");
        if (end < 0) {
          return;
        }
        if (!head.startsWith("HTTP/1.1 101")) {
          upgradedAt.tryFail("upgrade refused: " + head);
          return;
        }
        upgraded = true;
        upgradedAt.tryComplete(System.nanoTime());
        pending = pending.getBuffer(end + 4, pending.length());
      }
      while (pending.length() >= 2) {   // server frames are unmasked; control frames are short
        int opcode = pending.getByte(0) & 0x0F;
        int length = pending.getByte(1) & 0x7F;
        if (length > 125 || pending.length() < 2 + length) {
          return;
        }
        if (opcode == 0x9) {
          pings++;
        } else if (opcode == 0x8 && length >= 2) {
          closeCode = pending.getUnsignedShort(2);
        }
        pending = pending.getBuffer(2 + length, pending.length());
      }
    }
  }
}

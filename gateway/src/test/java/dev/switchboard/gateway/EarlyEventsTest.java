package dev.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.api.protocol.Asgi;
import dev.switchboard.shared.channels.ChannelLayerVerticle;
import dev.switchboard.shared.channels.EventBusChannelLayer;
import dev.switchboard.shared.config.SwitchboardConfig;
import dev.switchboard.shared.metrics.MetricNames;
import dev.switchboard.shared.metrics.SwitchboardMetrics;
import dev.switchboard.shared.protocol.Addresses;
import dev.switchboard.shared.routes.Route;
import dev.switchboard.shared.routes.RouteAnnouncer;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A consumer may send events before the handshake has completed (chat sends 50 messages of history from its
 * connect). They wait for the socket, up to a bound; past it the socket is closed with 1013 and counted, never
 * dropped silently. And outbound bytes are weighed by their size, binary ones included.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
@DisplayName("Events sent before the handshake completes, and the weight of outbound messages")
class EarlyEventsTest {

  private static final String INSTANCE = "test.early.instance";

  private int port;
  private WebSocketClient client;   // held: Vert.x 5 closes a client that is garbage collected
  private EventBusChannelLayer layer;

  @BeforeEach
  void deploy(Vertx vertx, VertxTestContext testContext) {
    JsonObject config = SwitchboardConfig.fromJson(new JsonObject()
        .put("http", new JsonObject().put("port", 0).put("instances", 1).put("host", "127.0.0.1"))
        .put("roles", new JsonArray().add("gateway"))).toJson();
    DeploymentOptions options = new DeploymentOptions().setConfig(config);
    GatewayVerticle gateway = GatewayVerticle.standalone();
    layer = new EventBusChannelLayer(vertx, 5000);
    client = vertx.createWebSocketClient();
    vertx.deployVerticle(ChannelLayerVerticle.standalone(), options)
        .compose(v -> vertx.eventBus().<JsonObject>consumer(Addresses.consumer("early"), msg -> connect(vertx, msg)).completion())
        .compose(v -> new RouteAnnouncer(vertx, "test").announce(List.of(Route.websocket("/ws/early", "early"))))
        .compose(v -> vertx.deployVerticle(gateway, options))
        .onSuccess(v -> port = gateway.actualPort())
        .onComplete(testContext.succeedingThenComplete());
  }

  /** Sends {@code ?n=N} events to the new channel, then accepts, after a round trip through the channel layer. */
  private void connect(Vertx vertx, Message<JsonObject> msg) {
    String channel = msg.body().getString(Asgi.CHANNEL);
    int n = Integer.parseInt(msg.body().getString("query").replace("n=", ""));
    // through the node's inbox (a bridge client's way), not the gateway instance's (ChannelInbox.send's): the layer's
    // node service shares the node inbox's event loop, so its answer comes after the inbox has handed every event
    // above to the connection, and they are all queued before the gateway hears the accept
    String nodeInbox = Addresses.inbox(Addresses.channelNode(channel).orElseThrow());
    DeliveryOptions toChannel = new DeliveryOptions().addHeader(Addresses.CHANNEL_HEADER, channel);
    for (int i = 0; i < n; i++) {
      vertx.eventBus().send(nodeInbox, Asgi.sendText("early " + i), toChannel);
    }
    layer.groups().onComplete(done ->
        msg.reply(new JsonObject().put(Asgi.TYPE, Asgi.ACCEPT).put(Asgi.INSTANCE, INSTANCE).put(Asgi.NODE, "test")));
  }

  @Test
  @DisplayName("300 events sent during the handshake (more than the old silent limit of 64) all arrive, in order")
  void earlyEventsKept(Vertx vertx, VertxTestContext test) {
    List<String> got = new ArrayList<>();
    client.connect(port, "127.0.0.1", "/ws/early?n=300").onComplete(test.succeeding(ws -> ws.textMessageHandler(text -> {
      got.add(text);
      if (got.size() == 300) {
        test.verify(() -> {
          for (int i = 0; i < 300; i++) {
            assertEquals("early " + i, got.get(i));
          }
        });
        test.completeNow();
      }
    })));
  }

  @Test
  @DisplayName("more than " + WebSocketConnection.MAX_EARLY_EVENTS + " events during the handshake close the socket with 1013, counted as an overflow")
  void tooManyEarlyEventsClose(Vertx vertx, VertxTestContext test) {
    int n = WebSocketConnection.MAX_EARLY_EVENTS + 100;
    Promise<Short> closed = Promise.promise();
    client.connect(port, "127.0.0.1", "/ws/early?n=" + n).onComplete(test.succeeding(ws -> {
      ws.closeHandler(v -> closed.complete(ws.closeStatusCode()));
    }));
    closed.future().onComplete(test.succeeding(code -> test.verify(() -> {
      assertEquals((short) 1013, code);
      Counter overflows = SwitchboardMetrics.registry(vertx).find(MetricNames.WEBSOCKET_QUEUE_OVERFLOWS).counter();
      assertEquals(1.0, overflows == null ? 0 : overflows.count(), "overflow counted");
      test.completeNow();
    })));
  }

  @Test
  @DisplayName("a binary message weighs its size against the outbound bound (not a flat 64 bytes), however it arrives")
  void binaryWeighsItsSize() {
    byte[] bytes = new byte[10_000];
    assertTrue(WebSocketConnection.weight(Asgi.sendBytes(Buffer.buffer(bytes))) >= 10_000, "as a Buffer");
    assertTrue(WebSocketConnection.weight(new JsonObject().put(Asgi.TYPE, Asgi.SEND).put(Asgi.BYTES, bytes)) >= 10_000, "as byte[]");
    JsonObject fromAnotherNode = new JsonObject(Asgi.sendBytes(Buffer.buffer(bytes)).encode());
    assertTrue(WebSocketConnection.weight(fromAnotherNode) >= 10_000, "as base64, decoded from JSON");
    assertEquals(64 + 5, WebSocketConnection.weight(Asgi.sendText("hello")), "text: its length plus the overhead");
  }
}

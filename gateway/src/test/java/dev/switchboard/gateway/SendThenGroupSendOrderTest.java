package dev.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchboard.api.protocol.Asgi;
import dev.switchboard.shared.channels.ChannelInbox;
import dev.switchboard.shared.channels.ChannelLayerVerticle;
import dev.switchboard.shared.channels.LocalChannels;
import dev.switchboard.shared.channels.Outbox;
import dev.switchboard.shared.config.SwitchboardConfig;
import dev.switchboard.shared.protocol.Addresses;
import dev.switchboard.shared.routes.Route;
import dev.switchboard.shared.routes.RouteAnnouncer;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
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
 * A consumer's {@code send} to its own channel, then its group send, reach the socket in that order (Channels users
 * rely on {@code self.send} then {@code group_send} arriving so), however busy the socket's event loop is. The send
 * goes through the gateway instance's inbox, on the socket's event loop; the group send's fan-out offers the message
 * to the socket from the channel layer's loop. If the socket's loop is busy while both happen, the inbox's event is
 * queued there before the fan-out's: the inbox's hand-off must then write it, not queue it a second time behind the
 * fan-out's (ChatConsumerTest.badInput saw a broadcast overtake the error frame sent before it, under load).
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
@DisplayName("A consumer's send, then its group send, reach the socket in that order")
class SendThenGroupSendOrderTest {

  private static final String INSTANCE = "test.send-order.instance";

  private int port;
  private WebSocketClient client;   // held: Vert.x 5 closes a client that is garbage collected

  @BeforeEach
  void deploy(Vertx vertx, VertxTestContext testContext) {
    JsonObject config = SwitchboardConfig.fromJson(new JsonObject()
        .put("http", new JsonObject().put("port", 0).put("instances", 1).put("host", "127.0.0.1"))
        .put("roles", new JsonArray().add("gateway"))).toJson();
    DeploymentOptions options = new DeploymentOptions().setConfig(config);
    GatewayVerticle gateway = GatewayVerticle.standalone();
    client = vertx.createWebSocketClient();
    // Runs on the socket's event loop as the gateway relays the client's frame "go" (an outbound interceptor runs on
    // the sender's thread). While that loop is busy, this does what a consumer does on its own loop: send "first" to
    // the channel, then (once the send is on its way) have the channel layer's fan-out offer "second" from another
    // thread, as OwnedGroups.deliver does on the layer's loop. Deterministic: the loop stays busy until the offer is made.
    vertx.eventBus().addOutboundInterceptor(delivery -> {
      delivery.next();
      if (delivery.message().body() instanceof JsonObject body && Asgi.RECEIVE.equals(Asgi.type(body))
          && "go".equals(body.getString(Asgi.TEXT))) {
        String channel = body.getString(Asgi.CHANNEL);
        ChannelInbox.send(vertx.eventBus(), channel, Asgi.sendText("first"));
        Outbox outbox = LocalChannels.of(vertx).find(channel);
        Thread fanOut = new Thread(() -> outbox.offer(Asgi.sendText("second")), "test-layer-fan-out");
        fanOut.start();
        try {
          fanOut.join(10_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    });
    vertx.deployVerticle(ChannelLayerVerticle.standalone(), options)
        .compose(v -> vertx.eventBus().<JsonObject>consumer(Addresses.consumer("order"), msg -> msg.reply(new JsonObject()
            .put(Asgi.TYPE, Asgi.ACCEPT).put(Asgi.INSTANCE, INSTANCE).put(Asgi.NODE, "test"))).completion())
        .compose(v -> vertx.eventBus().<JsonObject>consumer(INSTANCE, msg -> { }).completion())
        .compose(v -> new RouteAnnouncer(vertx, "test").announce(List.of(Route.websocket("/ws/order", "order"))))
        .compose(v -> vertx.deployVerticle(gateway, options))
        .onSuccess(v -> port = gateway.actualPort())
        .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  @DisplayName("the send's frame comes first, though the fan-out reached the socket while its loop was busy")
  void sendBeforeGroupSend(VertxTestContext test) {
    List<String> got = new ArrayList<>();
    client.connect(port, "127.0.0.1", "/ws/order").onComplete(test.succeeding(ws -> {
      ws.textMessageHandler(text -> {
        got.add(text);
        if (got.size() == 2) {
          test.verify(() -> assertEquals(List.of("first", "second"), got));
          ws.close();
          test.completeNow();
        }
      });
      ws.writeTextMessage("go");
    }));
  }
}

package dev.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.switchboard.api.protocol.Asgi;
import dev.switchboard.shared.channels.ChannelInbox;
import dev.switchboard.shared.channels.ChannelLayerVerticle;
import dev.switchboard.shared.cluster.ClusterMembership;
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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A socket's channel names the gateway instance that holds it, and events sent to the channel go to that instance's
 * own inbox, on the socket's event loop, not through the node's inbox on the channel layer's loop (one hand-off
 * between event loops less per event).
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
@DisplayName("Events for a socket go to its gateway instance's own inbox")
class InstanceInboxTest {

  private static final String INSTANCE = "test.instance-inbox.instance";

  private int port;
  private WebSocketClient client;   // held: Vert.x 5 closes a client that is garbage collected
  private final Set<String> channelAddresses = ConcurrentHashMap.newKeySet();

  @BeforeEach
  void deploy(Vertx vertx, VertxTestContext testContext) {
    JsonObject config = SwitchboardConfig.fromJson(new JsonObject()
        .put("http", new JsonObject().put("port", 0).put("instances", 2).put("host", "127.0.0.1"))
        .put("roles", new JsonArray().add("gateway"))).toJson();
    DeploymentOptions options = new DeploymentOptions().setConfig(config);
    client = vertx.createWebSocketClient();
    // every address an event for a channel is sent to
    vertx.eventBus().addOutboundInterceptor(delivery -> {
      if (delivery.message().body() != null && delivery.message().body().getClass().getSimpleName().equals("ChannelEvent")) {
        channelAddresses.add(delivery.message().address());
      }
      delivery.next();
    });
    GatewayVerticle[] first = new GatewayVerticle[1];
    vertx.deployVerticle(ChannelLayerVerticle.standalone(), options)
        .compose(v -> vertx.eventBus().<JsonObject>consumer(Addresses.consumer("inst"), msg -> msg.reply(new JsonObject()
            .put(Asgi.TYPE, Asgi.ACCEPT).put(Asgi.INSTANCE, INSTANCE).put(Asgi.NODE, "test"))).completion())
        .compose(v -> vertx.eventBus().<JsonObject>consumer(INSTANCE, msg -> {
          if (Asgi.RECEIVE.equals(Asgi.type(msg.body()))) {
            ChannelInbox.send(vertx.eventBus(), msg.body().getString(Asgi.CHANNEL),
                Asgi.sendText(msg.body().getString(Asgi.TEXT).toUpperCase()));
          }
        }).completion())
        .compose(v -> new RouteAnnouncer(vertx, "test").announce(List.of(Route.websocket("/ws/inst", "inst"))))
        .compose(v -> vertx.deployVerticle(() -> {
          GatewayVerticle gateway = GatewayVerticle.standalone();
          first[0] = first[0] == null ? gateway : first[0];
          return gateway;
        }, new DeploymentOptions(options).setInstances(2)))
        .onSuccess(v -> port = first[0].actualPort())
        .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  @DisplayName("sockets on a two-instance gateway each get their 200 echoes in order, through their instance's inbox")
  void echoesThroughTheInstanceInbox(Vertx vertx, VertxTestContext test) {
    int sockets = 4;
    int messages = 200;
    var done = test.checkpoint(sockets);
    for (int s = 0; s < sockets; s++) {
      client.connect(port, "127.0.0.1", "/ws/inst").onComplete(test.succeeding(ws -> {
        List<String> got = new ArrayList<>();
        ws.textMessageHandler(text -> {
          got.add(text);
          if (got.size() == messages) {
            test.verify(() -> {
              for (int i = 0; i < messages; i++) {
                assertEquals("M" + i, got.get(i));
              }
            });
            ws.close();
            done.flag();
          }
        });
        for (int i = 0; i < messages; i++) {
          ws.writeTextMessage("m" + i);
        }
      }));
    }
  }

  @org.junit.jupiter.api.AfterEach
  void routedToInstances(Vertx vertx) {
    String node = ClusterMembership.of(vertx).nodeId();
    assertEquals(false, channelAddresses.isEmpty());
    for (String address : channelAddresses) {
      assertNotEquals(Addresses.inbox(node), address, "not the node's inbox");
      assertEquals(true, address.startsWith(Addresses.inbox(node) + "."), "a gateway instance's inbox: " + address);
    }
  }
}

package dev.switchboard.deploy;

import dev.switchboard.shared.channels.ChannelLayerVerticle;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.consumers.ConsumersVerticle;
import dev.switchboard.gateway.GatewayVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.Checkpoint;
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

@ExtendWith(VertxExtension.class)
@Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
@DisplayName("The gateway relays WebSockets to consumers over the event bus, in one JVM")
class EchoThroughGatewayTest {

  private int port;
  private String gatewayDeployment;
  private WebSocketClient client;

  @BeforeEach
  void deploy(Vertx vertx, VertxTestContext testContext) {
    JsonObject config = new JsonObject()
        .put("http", new JsonObject().put("port", 0).put("instances", 2))
        .put("websocket", new JsonObject().put("maxFrameSize", 1024).put("maxMessageSize", 2048))
        .put("roles", new JsonArray().add("gateway").add("consumers"));
    List<GatewayVerticle> gateways = new ArrayList<>();
    client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 20));
    vertx.deployVerticle(ChannelLayerVerticle.standalone(), new DeploymentOptions().setConfig(config))
        .compose(v -> vertx.deployVerticle(ConsumersVerticle.standalone(), new DeploymentOptions().setConfig(config)))
        .compose(id -> vertx.deployVerticle(() -> {
          GatewayVerticle gateway = GatewayVerticle.standalone();
          synchronized (gateways) {
            gateways.add(gateway);
          }
          return gateway;
        }, new DeploymentOptions().setConfig(config).setInstances(2)))
        .onSuccess(id -> {
          gatewayDeployment = id;
          port = gateways.get(0).actualPort();
        })
        .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  @DisplayName("/ws/echo answers every text frame upper-cased")
  void echoesUpperCase(VertxTestContext testContext) {
    client.connect(port, "localhost", "/ws/echo").onComplete(testContext.succeeding(ws -> {
      ws.textMessageHandler(text -> testContext.verify(() -> {
        assertEquals("HELLO, SWITCHBOARD!", text);
        testContext.completeNow();
      }));
      ws.writeTextMessage("Hello, Switchboard!");
    }));
  }

  @Test
  @DisplayName("frames of one connection come back in the order sent")
  void keepsOrder(VertxTestContext testContext) {
    int count = 500;
    Checkpoint received = testContext.checkpoint(count);
    client.connect(port, "localhost", "/ws/echo").onComplete(testContext.succeeding(ws -> {
      int[] next = {0};
      ws.textMessageHandler(text -> testContext.verify(() -> {
        assertEquals("MESSAGE-" + next[0]++, text);
        received.flag();
      }));
      for (int i = 0; i < count; i++) {
        ws.writeTextMessage("message-" + i);
      }
    }));
  }

  @Test
  @DisplayName("many clients at once each get only their own answers")
  void isolatesConnections(VertxTestContext testContext) {
    int clients = 20;
    Checkpoint answered = testContext.checkpoint(clients);
    for (int c = 0; c < clients; c++) {
      String mine = "client-" + c;
      client.connect(port, "localhost", "/ws/echo").onComplete(testContext.succeeding(ws -> {
        ws.textMessageHandler(text -> testContext.verify(() -> {
          assertEquals(mine.toUpperCase(), text);
          answered.flag();
        }));
        ws.writeTextMessage(mine);
      }));
    }
  }

  @Test
  @DisplayName("an unknown WebSocket path is refused with HTTP 404 before the upgrade")
  void unknownPathIs404(VertxTestContext testContext) {
    client.connect(port, "localhost", "/ws/nowhere").onComplete(testContext.failing(err -> testContext.verify(() -> {
      assertTrue(err instanceof UpgradeRejectedException, err.toString());
      assertEquals(404, ((UpgradeRejectedException) err).getStatus());
      testContext.completeNow();
    })));
  }

  @Test
  @DisplayName("a frame over the configured maximum closes the socket with 1009")
  void oversizedFrameCloses1009(VertxTestContext testContext) {
    client.connect(port, "localhost", "/ws/echo").onComplete(testContext.succeeding(ws -> {
      ws.closeHandler(v -> testContext.verify(() -> {
        assertEquals((short) 1009, ws.closeStatusCode());
        testContext.completeNow();
      }));
      ws.writeTextMessage("x".repeat(4096));
    }));
  }

  @Test
  @DisplayName("a message fragmented past the configured maximum closes the socket with 1009")
  void oversizedMessageCloses1009(VertxTestContext testContext) {
    client.connect(port, "localhost", "/ws/echo").onComplete(testContext.succeeding(ws -> {
      ws.closeHandler(v -> testContext.verify(() -> {
        assertEquals((short) 1009, ws.closeStatusCode());
        testContext.completeNow();
      }));
      String part = "y".repeat(1000);
      ws.writeFrame(WebSocketFrame.textFrame(part, false));
      ws.writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer(part), false));
      ws.writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer(part), true));
    }));
  }

  @Test
  @DisplayName("a binary frame to a text-only consumer closes the socket with 1003")
  void binaryToTextOnlyCloses1003(VertxTestContext testContext) {
    client.connect(port, "localhost", "/ws/echo").onComplete(testContext.succeeding(ws -> {
      ws.closeHandler(v -> testContext.verify(() -> {
        assertEquals((short) 1003, ws.closeStatusCode());
        testContext.completeNow();
      }));
      ws.writeBinaryMessage(Buffer.buffer(new byte[] {1, 2, 3}));
    }));
  }

  @Test
  @DisplayName("undeploying the gateway closes open sockets with 1001")
  void shutdownCloses1001(Vertx vertx, VertxTestContext testContext) {
    client.connect(port, "localhost", "/ws/echo").onComplete(testContext.succeeding(ws -> {
      ws.closeHandler(v -> testContext.verify(() -> {
        assertEquals((short) 1001, ws.closeStatusCode());
        testContext.completeNow();
      }));
      vertx.undeploy(gatewayDeployment);
    }));
  }

  @Test
  @DisplayName("GET /health answers 200 with the node, the cluster and each role")
  void healthIsUp(Vertx vertx, VertxTestContext testContext) {
    WebClient.create(vertx).get(port, "localhost", "/health").send().onComplete(testContext.succeeding(response ->
        testContext.verify(() -> {
          assertEquals(200, response.statusCode());
          JsonObject body = response.bodyAsJsonObject();
          assertEquals("UP", body.getString("status"));
          assertTrue(body.encode().contains("\"consumers\""), body.encode());
          testContext.completeNow();
        })));
  }
}

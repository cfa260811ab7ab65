package dev.switchboard.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchboard.api.consumers.WebsocketConsumer;
import dev.switchboard.consumers.ConsumerVerticle;
import dev.switchboard.gateway.GatewayVerticle;
import dev.switchboard.shared.apps.WebsocketRoute;
import dev.switchboard.shared.channels.ChannelLayerVerticle;
import dev.switchboard.shared.channels.EventBusChannelLayer;
import dev.switchboard.shared.routes.Route;
import dev.switchboard.shared.routes.RouteAnnouncer;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
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
 * A consumer slower than {@code websocket.connectTimeoutMs}: the client gets 504 and the socket never exists, so the
 * consumer, which has joined a group and accepts only later, must be told: its {@code disconnect} runs (1006) and
 * its membership goes, as for any socket that ends.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
@DisplayName("A connect that times out (504) is ended at the consumer too")
class ConnectTimeoutTest {

  private static final String GROUP = "late";
  private static Promise<Void> release;
  private static Promise<String> joined;
  private static Promise<Integer> disconnected;

  /** Joins a group, then accepts only when the test releases it (after the client got its 504). */
  static final class Late extends WebsocketConsumer {
    @Override
    protected Future<Void> connect() {
      return channelLayer().groupAdd(GROUP, channelName())
          .onSuccess(v -> joined.complete(channelName()))
          .compose(v -> release.future())
          .onSuccess(v -> accept());
    }

    @Override
    protected Future<Void> disconnect(int code) {
      disconnected.complete(code);
      return channelLayer().groupDiscard(GROUP, channelName());
    }
  }

  private int port;
  // a field: Vert.x closes an unreachable client (a Cleaner), and with it the sockets and requests using it
  private NetClient net;

  @BeforeEach
  void deploy(Vertx vertx, VertxTestContext testContext) {
    release = Promise.promise();
    joined = Promise.promise();
    disconnected = Promise.promise();
    JsonObject config = new JsonObject()
        .put("http", new JsonObject().put("port", 0).put("host", "127.0.0.1").put("instances", 1))
        .put("websocket", new JsonObject().put("connectTimeoutMs", 1000));
    DeploymentOptions options = new DeploymentOptions().setConfig(config);
    GatewayVerticle gateway = GatewayVerticle.standalone();
    net = vertx.createNetClient();
    WebsocketRoute route = new WebsocketRoute("test", "/ws/late", "late", Late::new);
    vertx.deployVerticle(ChannelLayerVerticle.standalone(), options)
        .compose(v -> vertx.deployVerticle(() -> new ConsumerVerticle(route, new JsonObject(), false), new DeploymentOptions(options).setInstances(2)))
        .compose(v -> new RouteAnnouncer(vertx, "test").announce(List.of(Route.websocket("/ws/late", "late"))))
        .compose(v -> vertx.deployVerticle(gateway, options))
        .onSuccess(v -> port = gateway.actualPort())
        .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  @DisplayName("the client gets 504; when the consumer's connect completes later, its disconnect runs with 1006 and the group is empty")
  void lateAcceptIsUndone(Vertx vertx, VertxTestContext testContext) {
    EventBusChannelLayer layer = new EventBusChannelLayer(vertx, 5000);
    upgradeStatus(port, "/ws/late")
        .compose(status -> joined.future().map(channel -> {
          testContext.verify(() -> assertEquals(504, status));
          release.complete();
          return channel;
        }))
        .compose(channel -> disconnected.future())
        .compose(code -> layer.members(GROUP).map(members -> {
          testContext.verify(() -> {
            assertEquals(1006, code);
            assertEquals(List.of(), members, "the late consumer's membership stayed");
          });
          return members;
        }))
        .onComplete(testContext.succeedingThenComplete());
  }

  /** The status of an upgrade request, read from a raw socket. */
  private Future<Integer> upgradeStatus(int port, String path) {
    return net.connect(port, "127.0.0.1").compose(socket -> {
      Promise<Integer> status = Promise.promise();
      Buffer received = Buffer.buffer();
      socket.handler(bytes -> {
        received.appendBuffer(bytes);
        if (received.toString().contains("\r\n")) {
          status.tryComplete(Integer.parseInt(received.toString().substring(9, 12)));
          socket.close();
        }
      });
      socket.closeHandler(v -> status.tryFail("closed without an answer, after: " + received));
      socket.write("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
          + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
      return status.future();
    });
  }
}

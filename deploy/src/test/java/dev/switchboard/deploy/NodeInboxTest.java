package dev.switchboard.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.hazelcast.multimap.MultiMap;
import dev.switchboard.consumers.ConsumersVerticle;
import dev.switchboard.gateway.GatewayVerticle;
import dev.switchboard.shared.channels.ChannelLayerVerticle;
import dev.switchboard.shared.cluster.ClusterBootstrap;
import dev.switchboard.shared.config.SwitchboardConfig;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Channels are addressed by node: a socket costs the cluster nothing. Before, every socket registered its own
 * clustered consumer, one Hazelcast {@code __vertx.subs} entry replicated to every member per connect and close.
 */
@DisplayName("Node-addressed channels: 1,000 open sockets on a clustered node add no cluster subscription")
class NodeInboxTest {

  private static final int SOCKETS = 1000;

  private Vertx vertx;
  private HazelcastClusterManager hazelcast;
  private int port;
  // a field: Vert.x closes an unreachable client (a Cleaner), and with it the sockets and requests using it
  private WebSocketClient client;

  @BeforeEach
  void startClusteredNode() throws Exception {
    int hzPort = 24000 + ThreadLocalRandom.current().nextInt(1000) * 5;
    SwitchboardConfig.Cluster cluster = new SwitchboardConfig.Cluster("inbox-" + UUID.randomUUID(),
        List.of("127.0.0.1:" + hzPort), "127.0.0.1", hzPort, "127.0.0.1");
    hazelcast = new HazelcastClusterManager(ClusterBootstrap.hazelcastConfig(ConfigUtil.loadConfig(), cluster));
    vertx = Vertx.builder()
        .with(new VertxOptions().setEventBusOptions(new EventBusOptions().setHost("127.0.0.1").setPort(0)))
        .withClusterManager(hazelcast).buildClustered().await(60, TimeUnit.SECONDS);
    DeploymentOptions options = new DeploymentOptions().setConfig(new JsonObject()
        .put("http", new JsonObject().put("port", 0).put("host", "127.0.0.1"))
        .put("limits", new JsonObject().put("connectionsPerSecond", 100_000).put("connectionBurst", 100_000)
            .put("maxConnectionsPerIp", 100_000)));
    GatewayVerticle gateway = GatewayVerticle.standalone();
    vertx.deployVerticle(ChannelLayerVerticle.standalone(), options)
        .compose(v -> vertx.deployVerticle(ConsumersVerticle.standalone(), options))
        .compose(v -> vertx.deployVerticle(gateway, options))
        .await(60, TimeUnit.SECONDS);
    port = gateway.actualPort();
  }

  @AfterEach
  void stop() throws Exception {
    if (vertx != null) {
      vertx.close().await(60, TimeUnit.SECONDS);
    }
  }

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  @DisplayName("the cluster's subscriptions (Hazelcast __vertx.subs) are the same with 1,000 sockets open as with none, "
      + "and every socket still gets its echo and its group message")
  void noRegistrationPerSocket() throws Exception {
    MultiMap<Object, Object> subs = hazelcast.getHazelcastInstance().getMultiMap("__vertx.subs");
    int before = subs.size();
    client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(SOCKETS * 2));
    List<WebSocket> sockets = new ArrayList<>();
    for (int batch = 0; batch < SOCKETS; batch += 100) {   // 100 handshakes in flight at a time
      List<Future<WebSocket>> opening = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        opening.add(client.connect(port, "127.0.0.1", batch + i < SOCKETS / 2 ? "/ws/echo" : "/ws/rooms/inbox"));
      }
      Future.all(opening).await(60, TimeUnit.SECONDS);
      opening.forEach(f -> sockets.add(f.result()));
    }
    int during = subs.size();

    // every echo socket answers (websocket.send from the consumer, through the node's inbox), and every room
    // member gets one group message: the channels work without their own registrations
    List<Future<String>> answers = new ArrayList<>();
    for (int i = 0; i < SOCKETS; i++) {
      Promise<String> answer = Promise.promise();
      WebSocket ws = sockets.get(i);
      ws.textMessageHandler(answer::tryComplete);
      answers.add(answer.future());
      if (i < SOCKETS / 2) {
        ws.writeTextMessage("echo " + i);
      }
    }
    sockets.get(SOCKETS / 2).writeTextMessage("to the room");
    Future.all(answers).await(60, TimeUnit.SECONDS);
    for (int i = 0; i < SOCKETS; i++) {
      assertEquals(i < SOCKETS / 2 ? "ECHO " + i : "to the room", answers.get(i).result(), "socket " + i);
    }
    System.out.printf("__vertx.subs: %d before, %d with %d sockets open%n", before, during, SOCKETS);
    assertEquals(before, during, "cluster subscriptions added by " + SOCKETS + " open sockets");
    Future.all(sockets.stream().map(WebSocket::close).toList()).await(60, TimeUnit.SECONDS);
  }
}

package dev.switchboard.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The channel layer on a real cluster of separate JVMs from the built jar: two gateways and a consumers
 * node. The last test kills a gateway with -9, so the order is fixed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@DisplayName("Channel layer on a cluster of three JVMs")
class ChannelLayerClusterIT {

  private static final long WAIT_S = 30;
  private final HttpClient http = HttpClient.newHttpClient();
  private SwitchboardProcess consumers;
  private SwitchboardProcess gatewayA;
  private SwitchboardProcess gatewayB;
  private int portA;
  private int portB;
  private Vertx vertx;

  @BeforeAll
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void startCluster() throws Exception {
    Map<String, String> env = new java.util.HashMap<>(SwitchboardProcess.clusterEnv(3));
    env.putAll(Map.of("SWITCHBOARD_WS_OUTBOUND_QUEUE_BYTES", "65536", "SWITCHBOARD_HTTP_INSTANCES", "2"));
    consumers = SwitchboardProcess.start("channels-consumers", env, "consumers", "--cluster");
    consumers.awaitReady();
    gatewayA = SwitchboardProcess.start("channels-gateway-a", env, "gateway", "--cluster");
    gatewayB = SwitchboardProcess.start("channels-gateway-b", env, "gateway", "--cluster");
    portA = gatewayA.awaitReady();
    portB = gatewayB.awaitReady();
    vertx = Vertx.vertx();
    gatewayA.awaitClusterSize(vertx, portA, 3);
    gatewayB.awaitClusterSize(vertx, portB, 3);
  }

  @AfterAll
  void stopCluster() throws Exception {
    for (SwitchboardProcess process : new SwitchboardProcess[] {gatewayA, gatewayB, consumers}) {
      if (process != null) {
        process.close();
      }
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(WAIT_S, TimeUnit.SECONDS);
    }
  }

  @Test
  @Order(1)
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  @DisplayName("clients on both gateways in one room each get every message exactly once, each sender in order, at one cluster message per gateway")
  void exactlyOnceAcrossGateways() throws Exception {
    List<RoomClient> clients = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      clients.add(await(RoomClient.connect(vertx, portA, "/ws/chat/once")));
      clients.add(await(RoomClient.connect(vertx, portB, "/ws/chat/once")));
    }
    waitFor(() -> members(portA, "chat.once"), json -> json.getInteger("count") == 6);
    JsonObject before = nodeStats(consumers.nodeId());

    RoomClient senderA = clients.get(0);
    RoomClient senderB = clients.get(1);
    for (int i = 0; i < 20; i++) {
      senderA.send(chat("a" + i));
      senderB.send(chat("b" + i));
    }
    senderA.send(chat("a-end"));
    senderB.send(chat("b-end"));
    for (RoomClient client : clients) {
      List<String> messages = await(client.first(42)).stream().map(m -> new JsonObject(m).getString("message")).toList();
      assertEquals(expected("a"), messages.stream().filter(m -> m.startsWith("a")).toList());
      assertEquals(expected("b"), messages.stream().filter(m -> m.startsWith("b")).toList());
    }
    senderA.send(chat("final"));
    for (RoomClient client : clients) {
      await(client.first(43));
      assertEquals(43, client.received.size(), "each member gets each message once");
    }

    JsonObject after = nodeStats(consumers.nodeId());
    long sends = after.getLong("groupSends") - before.getLong("groupSends");
    long clusterMessages = after.getLong("groupSendClusterMessages") - before.getLong("groupSendClusterMessages");
    assertEquals(43, sends);
    assertEquals(2 * sends, clusterMessages, "one cluster message per gateway node holding members");
    clients.forEach(RoomClient::close);
  }

  @Test
  @Order(2)
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  @DisplayName("a client that stops reading is closed with 1013 and counted, while the others receive everything")
  void slowClientClosed() throws Exception {
    RoomClient fastA = await(RoomClient.connect(vertx, portA, "/ws/chat/slow"));
    RoomClient fastB = await(RoomClient.connect(vertx, portB, "/ws/chat/slow"));
    try (SlowSocket slow = SlowSocket.open(portA, "/ws/chat/slow")) {
      long closedBefore = nodeStats(gatewayA.nodeId()).getLong("slowClientsClosed");
      int count = 2000;
      String padding = "x".repeat(2000);
      // In batches: a consumer more than 1,024 events behind its client closes that client too.
      for (int i = 0; i < count; i++) {
        fastB.send(chat(i + ":" + padding));
        if (i % 200 == 199) {
          await(fastB.first(i + 1));
        }
      }
      List<String> atA = await(fastA.first(count));
      await(fastB.first(count));
      assertEquals("1999:" + padding, new JsonObject(atA.get(count - 1)).getString("message"));
      assertEquals(1013, slow.closeCode());
      assertTrue(nodeStats(gatewayA.nodeId()).getLong("slowClientsClosed") > closedBefore);
    }
    fastA.close();
    fastB.close();
  }

  @Test
  @Order(3)
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  @DisplayName("kill -9 of a gateway JVM: the other nodes drop its members within seconds and the room goes on")
  void gatewayKilled() throws Exception {
    List<RoomClient> atA = List.of(await(RoomClient.connect(vertx, portA, "/ws/chat/kill")),
        await(RoomClient.connect(vertx, portA, "/ws/chat/kill")));
    List<RoomClient> atB = List.of(await(RoomClient.connect(vertx, portB, "/ws/chat/kill")),
        await(RoomClient.connect(vertx, portB, "/ws/chat/kill")));
    waitFor(() -> members(portB, "chat.kill"), json -> json.getInteger("count") == 4);
    long unreachableBefore = nodeStats(consumers.nodeId()).getLong("droppedNodeUnreachable");

    long killedAt = System.nanoTime();
    gatewayA.kill();
    JsonObject left = waitFor(() -> members(portB, "chat.kill"), json -> json.getInteger("count") == 2);
    double seconds = (System.nanoTime() - killedAt) / 1e9;
    System.out.printf("members of the killed gateway dropped after %.1f s%n", seconds);
    assertTrue(seconds < 15, "dropped after " + seconds + " s");
    left.getJsonArray("members").forEach(m -> assertEquals(gatewayB.nodeId(), ((JsonObject) m).getString("node")));

    atB.get(0).send(chat("still here"));
    for (RoomClient client : atB) {
      assertEquals("still here", new JsonObject(await(client.first(1)).get(0)).getString("message"));
    }
    assertEquals(unreachableBefore, nodeStats(consumers.nodeId()).getLong("droppedNodeUnreachable"),
        "the consumers node no longer sends to the dead gateway");
    assertTrue(atA.stream().allMatch(RoomClient::isClosed));
  }

  private static String chat(String message) {
    return new JsonObject().put("message", message).encode();
  }

  private static List<String> expected(String prefix) {
    List<String> expected = new ArrayList<>(IntStream.range(0, 20).mapToObj(i -> prefix + i).toList());
    expected.add(prefix + "-end");
    return expected;
  }

  private JsonObject members(int port, String group) throws Exception {
    return get(port, "/api/channels/groups/" + group);
  }

  private JsonObject nodeStats(String nodeId) throws Exception {
    JsonArray nodes = get(portB, "/api/channels/stats").getJsonArray("nodes");
    return nodes.stream().map(JsonObject.class::cast).filter(n -> nodeId.equals(n.getString("node"))).findFirst()
        .orElseThrow(() -> new AssertionError("no stats for node " + nodeId + " in " + nodes));
  }

  private JsonObject get(int port, String path) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), path + ": " + response.body());
    return new JsonObject(response.body());
  }

  private interface Probe {
    JsonObject get() throws Exception;
  }

  /** Polls {@code probe} every 100 ms until {@code done} holds (test thread, not an event loop). */
  private static JsonObject waitFor(Probe probe, Predicate<JsonObject> done) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
    JsonObject last = probe.get();
    while (!done.test(last)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("still not as expected after " + WAIT_S + " s: " + last);
      }
      TimeUnit.MILLISECONDS.sleep(100); // polling interval between HTTP probes, not synchronisation
      last = probe.get();
    }
    return last;
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(WAIT_S, TimeUnit.SECONDS);
  }
}

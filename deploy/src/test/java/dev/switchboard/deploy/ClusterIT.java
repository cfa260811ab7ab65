package dev.switchboard.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("A real cluster of separate JVMs on 127.0.0.1")
class ClusterIT {

  private final Map<String, String> env = SwitchboardProcess.clusterEnv(3);
  private SwitchboardProcess gateway;
  private SwitchboardProcess consumers;
  private SwitchboardProcess replacement;
  // a field: Vert.x closes an unreachable client (a Cleaner), and with it the sockets and requests using it
  private WebSocketClient client;

  @AfterEach
  void stopAll() throws Exception {
    for (SwitchboardProcess process : new SwitchboardProcess[] {gateway, consumers, replacement}) {
      if (process != null) {
        process.close();
      }
    }
  }

  @Test
  @Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
  @DisplayName("a gateway JVM relays /ws/echo to a consumers JVM; kill -9 of the consumers closes the socket with 1012, a new consumers JVM serves new connections")
  void echoAcrossJvmsAndFailover(Vertx vertx) throws Throwable {
    consumers = SwitchboardProcess.start("cluster-consumers", env, "consumers", "--cluster");
    consumers.awaitReady();
    gateway = SwitchboardProcess.start("cluster-gateway", env, "gateway", "--cluster");
    int port = gateway.awaitReady();
    gateway.awaitClusterSize(vertx, port, 2);
    client = vertx.createWebSocketClient();

    WebSocket ws = client.connect(port, "127.0.0.1", "/ws/echo").await(10, TimeUnit.SECONDS);
    assertEquals("ACROSS THE CLUSTER", roundTrip(ws, "across the cluster"));

    CompletableFuture<Short> closed = new CompletableFuture<>();
    ws.closeHandler(v -> closed.complete(ws.closeStatusCode()));
    long killedAt = System.nanoTime();
    consumers.kill();
    assertEquals((short) 1012, closed.get(30, TimeUnit.SECONDS), "close code after the consumer node died");
    long detectMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
    assertTrue(detectMs < 15_000, "1012 came after " + detectMs + " ms");
    System.out.printf("consumer node death detected, socket closed with 1012 after %d ms%n", detectMs);

    replacement = SwitchboardProcess.start("cluster-consumers-2", env, "consumers", "--cluster");
    replacement.awaitReady();
    gateway.awaitClusterSize(vertx, port, 2);
    WebSocket again = client.connect(port, "127.0.0.1", "/ws/echo").await(10, TimeUnit.SECONDS);
    assertEquals("SERVED BY THE NEW NODE", roundTrip(again, "served by the new node"));
  }

  @Test
  @Timeout(value = 90, timeUnit = TimeUnit.SECONDS)
  @DisplayName("SIGTERM closes open sockets with 1001 and the JVM exits 0")
  void sigtermIsGraceful(Vertx vertx) throws Throwable {
    gateway = SwitchboardProcess.start("sigterm-all", Map.of(), "gateway", "consumers");
    int port = gateway.awaitReady();
    client = vertx.createWebSocketClient();
    WebSocket ws = client.connect(port, "127.0.0.1", "/ws/echo").await(10, TimeUnit.SECONDS);
    assertEquals("STILL HERE", roundTrip(ws, "still here"));
    CompletableFuture<Short> closed = new CompletableFuture<>();
    ws.closeHandler(v -> closed.complete(ws.closeStatusCode()));
    assertEquals(0, gateway.terminate(), gateway.output());
    assertEquals((short) 1001, closed.get(10, TimeUnit.SECONDS));
    assertTrue(gateway.output().contains("stopped"), gateway.output());
  }

  private static String roundTrip(WebSocket ws, String text) throws Exception {
    CompletableFuture<String> answer = new CompletableFuture<>();
    ws.textMessageHandler(answer::complete);
    ws.writeTextMessage(text);
    return answer.get(10, TimeUnit.SECONDS);
  }
}

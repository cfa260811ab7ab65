package dev.switchboard.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("Routes are announced by the nodes that serve them, to gateways already running")
class RouteAnnouncementIT {

  private final Map<String, String> env = SwitchboardProcess.clusterEnv(2);
  private SwitchboardProcess gateway;
  private SwitchboardProcess consumers;

  @AfterEach
  void stopAll() throws Exception {
    for (SwitchboardProcess process : new SwitchboardProcess[] {consumers, gateway}) {
      if (process != null) {
        process.close();
      }
    }
  }

  @Test
  @Timeout(value = 150, timeUnit = TimeUnit.SECONDS)
  @DisplayName("a consumers JVM joining a running gateway has its routes served within 1 s; after its kill -9 they answer 404 again")
  void joinThenKill(Vertx vertx) throws Throwable {
    gateway = SwitchboardProcess.start("routes-gateway", env, "gateway", "--cluster");
    int port = gateway.awaitReady();
    assertEquals(404, RouteProbe.upgradeStatus(vertx, port, "/ws/echo").await(10, TimeUnit.SECONDS),
        "a gateway alone serves no consumer routes");

    consumers = SwitchboardProcess.start("routes-consumers", env, "consumers", "--cluster");
    consumers.awaitReady();
    long readyAt = System.nanoTime();
    Eventually.eventually(vertx, 1000, () -> RouteProbe.upgradeStatus(vertx, port, "/ws/echo").map(status -> status == 101))
        .await(10, TimeUnit.SECONDS);
    long servedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - readyAt);
    System.out.printf("routes of a joining consumers JVM served by the running gateway %d ms after it was ready%n", servedMs);
    assertEquals(101, RouteProbe.upgradeStatus(vertx, port, "/ws/chat/lobby").await(10, TimeUnit.SECONDS));

    long killedAt = System.nanoTime();
    consumers.kill();
    Eventually.eventually(vertx, 15_000, () -> RouteProbe.upgradeStatus(vertx, port, "/ws/echo").map(status -> status == 404))
        .await(20, TimeUnit.SECONDS);
    long goneMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
    System.out.printf("routes of a killed consumers JVM answered 404 %d ms after kill -9%n", goneMs);
    assertTrue(goneMs < 15_000, "404 came after " + goneMs + " ms");
    assertEquals(404, RouteProbe.upgradeStatus(vertx, port, "/ws/chat/lobby").await(10, TimeUnit.SECONDS));
  }
}

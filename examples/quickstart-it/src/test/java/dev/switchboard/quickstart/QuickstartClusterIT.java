package dev.switchboard.quickstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.testkit.HttpCommunicator;
import dev.switchboard.testkit.WebsocketCommunicator;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayName("A user's app jar joins a running cluster: the quickstart, loaded with --app by a second JVM")
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class QuickstartClusterIT {

  static final String REDIS_URL = System.getenv().getOrDefault("SWITCHBOARD_TEST_REDIS_URL", "redis://127.0.0.1:6379");
  static final String PG_URL = System.getenv().getOrDefault("SWITCHBOARD_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test");

  private final List<NodeProcess> processes = new ArrayList<>();
  private Vertx vertx;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() throws Exception {
    for (NodeProcess process : processes) {
      process.close();
    }
    vertx.close().await();
  }

  @Test
  @DisplayName("gateway first, then `consumers worker --app quickstart.jar`: WebSocket, HTTP and task work without a "
      + "gateway restart, and after kill -9 of the app's JVM its routes answer 404 within 10 s")
  void appJoinsAndLeaves() throws Exception {
    assertTrue(Files.isRegularFile(NodeProcess.QUICKSTART_JAR), "build the quickstart first: " + NodeProcess.QUICKSTART_JAR);
    Map<String, String> env = clusterEnv();
    NodeProcess gateway = start("quickstart-gateway", env, "gateway", "--cluster");
    int port = gateway.awaitReady();
    NodeProcess app = start("quickstart-app", env, "consumers", "worker", "--cluster",
        "--app", NodeProcess.QUICKSTART_JAR.toString());
    app.awaitReady();

    // the gateway learns the app's routes from its announcement: wait for the route, not for a fixed time
    awaitTrue(Duration.ofSeconds(30), () -> connects(port, "/ws/quickstart/ada"), "gateway never served /ws/quickstart/ada");
    WebsocketCommunicator ws = new WebsocketCommunicator(vertx, port, "/ws/quickstart/ada");
    assertTrue(ws.connect());
    assertEquals("hello, ada", ws.receiveText());
    ws.sendText("stressed");
    assertEquals("desserts", ws.receiveText());
    ws.disconnect();

    HttpCommunicator.Response square = new HttpCommunicator(vertx, port, "GET", "/quickstart/square/12").getResponse();
    assertEquals(200, square.status(), square.body());
    assertEquals(new JsonObject().put("n", 12).put("square", 144), square.json());
    HttpCommunicator.Response bad = new HttpCommunicator(vertx, port, "GET", "/quickstart/square/twelve").getResponse();
    assertEquals(400, bad.status(), bad.body());

    HttpCommunicator.Response submitted = new HttpCommunicator(vertx, port, "POST", "/api/tasks/quickstart.slow_square")
        .header("content-type", "application/json").body(new JsonObject().put("args", List.of(12)).encode()).getResponse();
    assertEquals(202, submitted.status(), submitted.body());
    String id = submitted.json().getString("id");
    JsonObject[] last = new JsonObject[1];
    awaitTrue(Duration.ofSeconds(30), () -> {
      last[0] = new HttpCommunicator(vertx, port, "GET", "/api/tasks/" + id).getResponse().json();
      return "SUCCESS".equals(last[0].getString("state"));
    }, "task never succeeded");
    assertEquals(144, last[0].getInteger("result"));

    app.kill();
    long killed = System.nanoTime();
    awaitTrue(Duration.ofSeconds(10), () -> rejectedWith404(port, "/ws/quickstart/ada"),
        "/ws/quickstart/ada still served 10 s after kill -9");
    awaitTrue(Duration.ofSeconds(10).minusNanos(System.nanoTime() - killed),
        () -> new HttpCommunicator(vertx, port, "GET", "/quickstart/square/12").getResponse().status() == 404,
        "/quickstart/square/12 still served 10 s after kill -9");
    System.out.printf("the app's routes answered 404 %.1f s after kill -9%n", (System.nanoTime() - killed) / 1e9);
  }

  private NodeProcess start(String name, Map<String, String> env, String... args) throws Exception {
    NodeProcess process = NodeProcess.start(name, env, args);
    processes.add(process);
    return process;
  }

  private boolean connects(int port, String path) {
    WebsocketCommunicator probe = new WebsocketCommunicator(vertx, port, path);
    boolean accepted = probe.connect();
    probe.disconnect();
    return accepted;
  }

  private boolean rejectedWith404(int port, String path) {
    WebsocketCommunicator probe = new WebsocketCommunicator(vertx, port, path);
    boolean accepted = probe.connect();
    probe.disconnect();
    return !accepted && probe.rejectedStatus() == 404;
  }

  /** Polls {@code condition} every 100 ms until it holds (a failing check counts as false), or fails after {@code timeout}. */
  private static void awaitTrue(Duration timeout, BooleanSupplier condition, String message) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      boolean met;
      try {
        met = condition.getAsBoolean();
      } catch (RuntimeException | AssertionError e) {
        met = false;
      }
      if (met) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(message);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
    }
  }

  private static Map<String, String> clusterEnv() {
    int base = 20000 + ThreadLocalRandom.current().nextInt(2000) * 10;
    List<String> members = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      members.add("127.0.0.1:" + (base + i));
    }
    Map<String, String> env = new HashMap<>();
    env.put("SWITCHBOARD_CLUSTER_NAME", "quickstart-" + UUID.randomUUID().toString().substring(0, 8));
    env.put("SWITCHBOARD_CLUSTER_PORT", String.valueOf(base));
    env.put("SWITCHBOARD_CLUSTER_MEMBERS", String.join(",", members));
    env.put("SWITCHBOARD_REDIS_URL", REDIS_URL);
    env.put("SWITCHBOARD_PG_URL", PG_URL);
    env.put("SWITCHBOARD_TASKS_NAMESPACE", "quickstart-it-" + UUID.randomUUID().toString().substring(0, 8));
    return env;
  }
}

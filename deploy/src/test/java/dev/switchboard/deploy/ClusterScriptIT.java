package dev.switchboard.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deploy/cluster.sh} as a user runs it: six JVMs from the built jar, one redis-server the script
 * starts itself (on a port nobody uses), free HTTP ports read from the logs, a Hazelcast port range and
 * cluster name of the test's own. Where Debian's nginx is installed, also the load balancer in front.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("deploy/cluster.sh")
class ClusterScriptIT {

  private static final Path SCRIPT = Path.of("cluster.sh");
  private static final Path NGINX = Path.of("/usr/sbin/nginx");

  @TempDir
  Path runDir;

  private final String clusterName = SwitchboardProcess.newClusterName();
  private Map<String, String> env;
  private int lbPort;
  // a field: Vert.x closes an unreachable client (a Cleaner), and with it the sockets and requests using it
  private WebSocketClient client;

  /** One row of the script's nodes.tsv. */
  record Node(String name, String role, long pid, int httpPort, int tcpPort, String log) {
  }

  @AfterEach
  void stopWhateverIsLeft() throws Exception {
    if (env != null) {
      run("stop-after-test", 120, "stop");
    }
  }

  @Test
  @Timeout(value = 600, timeUnit = TimeUnit.SECONDS)
  @DisplayName("start brings up 2 gateways, 2 consumers and 2 workers, each healthy in a cluster of 6, echoing through each gateway (and nginx); stop ends every PID")
  void startsSixHealthyNodesAndStopsThem(Vertx vertx) throws Exception {
    env = scriptEnv();
    Run start = run("start", 500, "start");
    assertEquals(0, start.exitCode(), start.output());

    List<Node> nodes = nodes();
    assertEquals(Map.of("gateway", 2L, "consumers", 2L, "worker", 2L),
        nodes.stream().collect(Collectors.groupingBy(Node::role, Collectors.counting())), start.output());
    for (Node node : nodes) {
      assertTrue(start.output().contains(String.valueOf(node.pid())), "start prints PID of " + node + ": " + start.output());
      assertTrue(start.output().contains(node.log()), "start prints the log of " + node);
    }

    WebClient http = WebClient.create(vertx);
    for (Node node : nodes) {
      HttpResponse<?> health = http.get(node.httpPort(), "127.0.0.1", "/health").send().await(10, TimeUnit.SECONDS);
      assertEquals(200, health.statusCode(), node + " " + health.bodyAsString());
      JsonObject body = health.bodyAsJsonObject();
      assertEquals("UP", body.getString("status"), node + " " + body);
      assertEquals(6, clusterNodes(body), node + " " + body);
    }

    client = vertx.createWebSocketClient();
    for (Node gateway : nodes.stream().filter(n -> n.role().equals("gateway")).toList()) {
      WebSocket ws = client.connect(gateway.httpPort(), "127.0.0.1", "/ws/echo").await(10, TimeUnit.SECONDS);
      CompletableFuture<String> answer = new CompletableFuture<>();
      ws.textMessageHandler(answer::complete);
      ws.writeTextMessage("through " + gateway.name());
      assertEquals("THROUGH " + gateway.name().toUpperCase(), answer.get(15, TimeUnit.SECONDS));
      ws.close().await(10, TimeUnit.SECONDS);
    }

    if (lbPort > 0) {
      for (int i = 0; i < 2; i++) {   // round robin: one socket through each gateway
        WebSocket ws = client.connect(lbPort, "127.0.0.1", "/ws/echo").await(10, TimeUnit.SECONDS);
        CompletableFuture<String> answer = new CompletableFuture<>();
        ws.textMessageHandler(answer::complete);
        ws.writeTextMessage("through nginx " + i);
        assertEquals("THROUGH NGINX " + i, answer.get(15, TimeUnit.SECONDS));
        ws.close().await(10, TimeUnit.SECONDS);
      }
      assertEquals(200, http.get(lbPort, "127.0.0.1", "/health").send().await(10, TimeUnit.SECONDS).statusCode());
    }

    Run status = run("status", 60, "status");
    assertEquals(0, status.exitCode(), status.output());
    assertEquals(6, status.output().lines().filter(line -> line.contains(" UP ")).count(), status.output());
    if (lbPort > 0) {
      assertTrue(status.output().contains("nginx load balancer: http://127.0.0.1:" + lbPort) && status.output().contains(", UP, "), status.output());
    }

    Run stop = run("stop", 120, "stop");
    assertEquals(0, stop.exitCode(), stop.output());
    for (Node node : nodes) {
      assertTrue(ProcessHandle.of(node.pid()).flatMap(p -> p.info().commandLine())
          .filter(cmd -> cmd.contains(clusterName)).isEmpty(), node + " still runs after stop: " + stop.output());
    }
    assertTrue(!Files.exists(runDir.resolve("redis.pid")), "the redis-server the script started is stopped");
    assertTrue(!Files.exists(runDir.resolve("nginx.pid")), "nginx is stopped");
    Run after = run("status-after-stop", 60, "status");
    assertEquals(3, after.exitCode(), after.output());
  }

  private Map<String, String> scriptEnv() throws IOException {
    Map<String, String> vars = new HashMap<>();
    vars.put("SWITCHBOARD_RUN_DIR", runDir.toString());
    vars.put("SWITCHBOARD_HTTP_BASE_PORT", "0");
    vars.put("SWITCHBOARD_TCP_BASE_PORT", "0");
    // below the ephemeral range and apart from SwitchboardProcess.clusterEnv's 20000-39999
    vars.put("SWITCHBOARD_CLUSTER_PORT", String.valueOf(10000 + ThreadLocalRandom.current().nextInt(900) * 10));
    vars.put("SWITCHBOARD_CLUSTER_NAME", clusterName);
    vars.put("SWITCHBOARD_REDIS_URL", "redis://127.0.0.1:" + freePort());
    // One real PostgreSQL for the whole cluster, as a deployment names it (not six embedded ones racing).
    vars.put("SWITCHBOARD_PG_URL", DataTesting.ADMIN_URL);
    vars.put("SWITCHBOARD_JAR", Path.of("target", "switchboard.jar").toAbsolutePath().toString());
    vars.put("SWITCHBOARD_START_TIMEOUT", "420");
    if (Files.isExecutable(NGINX)) {
      lbPort = freePort();
      vars.put("SWITCHBOARD_LB_PORT", String.valueOf(lbPort));
    }
    return vars;
  }

  private List<Node> nodes() throws IOException {
    return Files.readAllLines(runDir.resolve("nodes.tsv")).stream().map(line -> {
      String[] f = line.split("\t");
      return new Node(f[0], f[1], Long.parseLong(f[2]), Integer.parseInt(f[3]), Integer.parseInt(f[4]), f[6]);
    }).toList();
  }

  private static int clusterNodes(JsonObject health) {
    return health.getJsonArray("checks").stream().map(JsonObject.class::cast)
        .filter(check -> "cluster".equals(check.getString("id")))
        .mapToInt(check -> check.getJsonObject("data").getInteger("nodes", 0)).findFirst().orElse(0);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  record Run(int exitCode, String output) {
  }

  /** Runs the script with the test's environment; its output also goes to target/it-logs. */
  private Run run(String name, int timeoutSeconds, String command) throws Exception {
    Path logs = Files.createDirectories(Path.of("target", "it-logs"));
    Path out = logs.resolve("cluster-script-" + name + ".log");
    ProcessBuilder builder = new ProcessBuilder("bash", SCRIPT.toString(), command)
        .redirectErrorStream(true).redirectOutput(out.toFile()).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    builder.environment().keySet().removeIf(key -> key.startsWith("SWITCHBOARD_") || key.equals("JAVA_OPTS"));
    builder.environment().putAll(env);
    Process process = builder.start();
    if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      process.toHandle().destroy();
      throw new AssertionError("cluster.sh " + command + " still running after " + timeoutSeconds + " s: " + Files.readString(out));
    }
    return new Run(process.exitValue(), Files.readString(out));
  }
}

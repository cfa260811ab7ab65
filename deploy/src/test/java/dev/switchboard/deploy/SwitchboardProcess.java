package dev.switchboard.deploy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real Switchboard JVM started from the shaded jar, for tests of cluster and launcher behaviour. Its
 * output goes to {@code target/it-logs/NAME.log}; {@link #ready()} completes with the HTTP port once it
 * logs "Switchboard ready".
 */
final class SwitchboardProcess implements AutoCloseable {

  private static final Pattern READY = Pattern.compile("Switchboard ready: .*http port (\\d+)(?:, tcp-echo port (\\d+))?, node ([^,\\s]+)");
  private static final Path JAR = Path.of("target", "switchboard.jar");
  private static EmbeddedPostgres sharedPostgres;

  private final Process process;
  private final Thread reader;
  private final CompletableFuture<Integer> ready = new CompletableFuture<>();
  private final StringBuilder output = new StringBuilder();
  private volatile int tcpEchoPort = -1;
  private volatile String nodeId;

  private SwitchboardProcess(Process process, Path log) throws IOException {
    this.process = process;
    reader = new Thread(() -> pump(log), "output-of-" + log.getFileName());
    reader.setDaemon(true);
    reader.start();
  }

  /** A fresh cluster name, so concurrent test runs never join each other. */
  static String newClusterName() {
    return "it-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /**
   * Environment for the members of one test cluster: its own name and its own Hazelcast port range, so
   * that other clusters on this machine (other test runs, a developer's nodes) neither join it nor take
   * the ports its members look for each other on.
   */
  static Map<String, String> clusterEnv(int members) {
    int base = 20000 + java.util.concurrent.ThreadLocalRandom.current().nextInt(2000) * 10;
    List<String> addresses = new ArrayList<>();
    for (int i = 0; i < members + 2; i++) {
      addresses.add("127.0.0.1:" + (base + i));
    }
    return Map.of(
        "SWITCHBOARD_CLUSTER_NAME", newClusterName(),
        "SWITCHBOARD_CLUSTER_PORT", String.valueOf(base),
        "SWITCHBOARD_CLUSTER_MEMBERS", String.join(",", addresses));
  }

  /**
   * Polls this node's {@code /health} until it sees {@code nodes} cluster members: a node that has
   * logged "ready" may still be merging into the cluster when the machine is loaded.
   */
  void awaitClusterSize(io.vertx.core.Vertx vertx, int httpPort, int nodes) throws Exception {
    CompletableFuture<Void> joined = new CompletableFuture<>();
    io.vertx.ext.web.client.WebClient client = io.vertx.ext.web.client.WebClient.create(vertx);
    long deadline = System.currentTimeMillis() + 60_000;
    vertx.setPeriodic(0, 250, timer -> client.get(httpPort, "127.0.0.1", "/health").send().onComplete(result -> {
      if (joined.isDone()) {
        return;
      }
      int seen = result.succeeded() ? clusterNodes(result.result().bodyAsJsonObject()) : 0;
      if (seen >= nodes) {
        vertx.cancelTimer(timer);
        joined.complete(null);
      } else if (System.currentTimeMillis() > deadline) {
        vertx.cancelTimer(timer);
        joined.completeExceptionally(new AssertionError("cluster has " + seen + " of " + nodes + " nodes: " + output()));
      }
    }));
    joined.get(70, TimeUnit.SECONDS);
  }

  private static int clusterNodes(io.vertx.core.json.JsonObject health) {
    if (health == null) {
      return 0;
    }
    for (Object check : health.getJsonArray("checks", new io.vertx.core.json.JsonArray())) {
      io.vertx.core.json.JsonObject json = (io.vertx.core.json.JsonObject) check;
      if ("cluster".equals(json.getString("id"))) {
        return json.getJsonObject("data", new io.vertx.core.json.JsonObject()).getInteger("nodes", 0);
      }
    }
    return 0;
  }

  static SwitchboardProcess start(String name, Map<String, String> env, String... args) throws IOException {
    return launch(name, env, List.of("-jar", JAR.toString()), args);
  }

  /**
   * A JVM running {@code mainClass} from this module's test classes on top of the shaded jar: the jar's runtime
   * with something only a test should ship (a task that halts its JVM). It must log a "Switchboard ready" line.
   */
  static SwitchboardProcess startMain(String name, Map<String, String> env, String mainClass, String... args)
      throws IOException {
    return launch(name, env, List.of("-cp", JAR + java.io.File.pathSeparator + Path.of("target", "test-classes"),
        mainClass), args);
  }

  private static SwitchboardProcess launch(String name, Map<String, String> env, List<String> what, String... args)
      throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-Dhazelcast.wait.seconds.before.join=0"));
    command.addAll(what);
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    Map<String, String> environment = new HashMap<>(Map.of(
        "SWITCHBOARD_HTTP_PORT", "0", "SWITCHBOARD_TCP_ECHO_PORT", "0"));
    environment.putAll(env);
    if (!environment.containsKey("SWITCHBOARD_PG_URL") && !environment.containsKey("SWITCHBOARD_PG_EMBEDDED_DIR")) {
      environment.put("SWITCHBOARD_PG_URL", sharedPostgresUrl());
    }
    builder.environment().keySet().removeIf(key -> key.startsWith("SWITCHBOARD_"));
    builder.environment().putAll(environment);
    Path logs = Path.of("target", "it-logs");
    Files.createDirectories(logs);
    return new SwitchboardProcess(ParentWatchdog.startGuarded(builder), logs.resolve(name + ".log"));
  }

  /**
   * One embedded PostgreSQL for every node these tests start (started here once, stopped when this JVM exits), so
   * that each node does not initialise a database of its own; a test that names a URL or an embedded directory of its
   * own gets that instead.
   */
  private static synchronized String sharedPostgresUrl() throws IOException {
    if (sharedPostgres == null) {
      sharedPostgres = EmbeddedPostgres.start(dev.switchboard.shared.config.PgSettings.fromJson(new io.vertx.core.json.JsonObject()
          .put("pg", new io.vertx.core.json.JsonObject().put("embeddedDir", "target/it-pg/shared-" + UUID.randomUUID()))));
    }
    return sharedPostgres.url();
  }

  /** Waits (on the test thread, never an event loop) until the node is serving; returns its HTTP port. */
  int awaitReady() throws Exception {
    try {
      return ready.get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("process did not become ready: " + output(), e);
    }
  }

  /** The cluster node id it logged when ready. */
  String nodeId() {
    return nodeId;
  }

  int tcpEchoPort() {
    return tcpEchoPort;
  }

  /** The JVM's process, to find the servers it started. */
  ProcessHandle handle() {
    return process.toHandle();
  }

  /** kill -9. */
  void kill() throws InterruptedException {
    process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM, then the exit code. */
  int terminate() throws InterruptedException {
    // Process.destroy() would also close our end of the child's stdout, losing what it logs while stopping.
    process.toHandle().destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("process ignored SIGTERM for 60 s: " + output());
    }
    reader.join(10_000);
    return process.exitValue();
  }

  int awaitExit() throws InterruptedException {
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("process did not exit: " + output());
    }
    reader.join(10_000);
    return process.exitValue();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** The exit code of a process that has exited. */
  int exitCode() {
    return process.exitValue();
  }

  String output() {
    synchronized (output) {
      return output.toString();
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }

  private void pump(Path log) {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
         PrintWriter out = new PrintWriter(Files.newBufferedWriter(log), true)) {
      String line;
      while ((line = in.readLine()) != null) {
        out.println(line);
        synchronized (output) {
          output.append(line).append('\n');
        }
        Matcher matcher = READY.matcher(line);
        if (matcher.find()) {
          if (matcher.group(2) != null) {
            tcpEchoPort = Integer.parseInt(matcher.group(2));
          }
          nodeId = matcher.group(3);
          ready.complete(Integer.parseInt(matcher.group(1)));
        }
      }
    } catch (IOException e) {
      ready.completeExceptionally(e);
    }
    ready.completeExceptionally(new IllegalStateException("process exited before it was ready"));
  }
}

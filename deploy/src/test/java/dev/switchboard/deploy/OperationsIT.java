package dev.switchboard.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayName("Operations of one node started from the jar: /metrics after known traffic, the command line, the dashboard in a browser")
class OperationsIT {

  private static final Path JAR = Path.of("target", "switchboard.jar");
  private static final Path BROWSER_TEST = Path.of("src", "test", "js");
  private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
  private static final Set<String> FINAL = Set.of("SUCCESS", "FAILURE", "REVOKED");

  private static SwitchboardProcess node;
  private static String base;
  private static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  static void start() throws Exception {
    // "parked" takes tasks though no worker reads it: they wait there, for the queue meters
    node = SwitchboardProcess.start("operations", Map.of("SWITCHBOARD_TASKS_ACCEPTED_QUEUES", "parked"));
    base = "http://127.0.0.1:" + node.awaitReady();
  }

  @AfterAll
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  static void stop() throws Exception {
    if (node != null) {
      node.terminate();
    }
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  @DisplayName("/metrics shows the traffic it saw: requests, task transitions and durations, open sockets and closes by "
      + "code, group sends and deliveries, queue depth and oldest age, delayed tasks, worker slots, Redis pools")
  void metricsAfterKnownTraffic() throws Exception {
    Scrape before = scrape();
    List<String> adds = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      adds.add(submit("add", new JsonArray().add(i).add(1), new JsonObject()));
    }
    String failing = submit("long_running", new JsonArray().add(-1), new JsonObject());
    for (int i = 0; i < 3; i++) {
      submit("add", new JsonArray().add(1).add(1), new JsonObject().put("queue", "parked")); // no worker reads it
    }
    submit("add", new JsonArray().add(1).add(1), new JsonObject().put("countdown", 600));
    for (String id : adds) {
      assertEquals("SUCCESS", awaitFinal(id).getString("state"));
    }
    assertEquals("FAILURE", awaitFinal(failing).getString("state"));

    CompletableFuture<String> broadcast = new CompletableFuture<>();
    WebSocket chat = http.newWebSocketBuilder().buildAsync(URI.create(base.replace("http", "ws") + "/ws/chat/metrics"),
        new WebSocket.Listener() {
          @Override
          public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            broadcast.complete(data.toString());
            return null;
          }
        }).get(10, TimeUnit.SECONDS);
    chat.sendText(new JsonObject().put("message", "hello room").encode(), true);
    assertTrue(broadcast.get(10, TimeUnit.SECONDS).contains("hello room"));
    chat.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(10, TimeUnit.SECONDS);

    Echo first = Echo.open(base);
    Echo second = Echo.open(base);
    Scrape open = scrape();
    assertEquals(2, open.sum("switchboard_websockets_open", "route=/ws/echo"), "open sockets on /ws/echo");
    assertTrue(open.has("switchboard_websockets_open", "node"), "sockets carry the node");
    assertEquals(1000, first.closeNormally());
    assertEquals(1009, second.sendOversized());
    Scrape after = eventually(scrape -> scrape.sum("switchboard_websockets_open", "route=/ws/echo") == 0
        && scrape.sum("switchboard_websocket_closes_total", "route=/ws/echo") - before.sum("switchboard_websocket_closes_total", "route=/ws/echo") >= 2);

    assertEquals(1, delta(before, after, "switchboard_websocket_closes_total", "route=/ws/echo", "code=1000"));
    assertEquals(1, delta(before, after, "switchboard_group_sends_total"), "one group send");
    assertEquals(1, delta(before, after, "switchboard_group_deliveries_total"), "delivered to the one member");
    assertTrue(after.has("switchboard_group_drops_total", "reason=client_too_slow"), "drops by reason");
    assertEquals(1, delta(before, after, "switchboard_websocket_closes_total", "route=/ws/echo", "code=1009"));
    assertEquals(8, delta(before, after, "switchboard_tasks_total", "task=add", "state=PENDING"));
    assertEquals(4, delta(before, after, "switchboard_tasks_total", "task=add", "state=STARTED"));
    assertEquals(4, delta(before, after, "switchboard_tasks_total", "task=add", "state=SUCCESS"));
    assertEquals(1, delta(before, after, "switchboard_tasks_total", "task=long_running", "state=FAILURE"));
    assertEquals(4, delta(before, after, "switchboard_task_duration_seconds_count", "task=add", "state=SUCCESS"));
    assertEquals(9, delta(before, after, "vertx_http_server_requests_total", "method=POST", "code=202"));
    assertEquals(3, after.sum("switchboard_queue_depth", "queue=parked"));
    assertEquals(0, after.sum("switchboard_queue_running", "queue=parked"));
    double oldest = after.sum("switchboard_queue_oldest_age_seconds", "queue=parked");
    assertTrue(oldest > 0 && oldest < 60, "oldest parked task's age: " + oldest);
    assertTrue(after.sum("switchboard_tasks_delayed") >= 1, "the countdown task is delayed");
    assertEquals(16, after.sum("switchboard_worker_concurrency"));
    double utilisation = after.sum("switchboard_worker_utilisation");
    assertTrue(utilisation >= 0 && utilisation <= 1, "utilisation " + utilisation);
    assertEquals(1, after.sum("switchboard_redis_up"));
    assertTrue(after.has("vertx_pool_in_use", "pool_type=redis", "pool_name=switchboard-task-client"), "Redis pool");
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  @DisplayName("The command line against the live node: submit --wait draws progress and prints the result; inspect, "
      + "list --state FAILURE and cluster status read it; queues pause/list/purge/resume and workers; failures are one line with a non-zero exit")
  void commandLine() throws Exception {
    Cli waited = cli("tasks", "submit", "long_running", "--args", "[2]", "--wait", "--url", base);
    assertEquals(0, waited.exit(), waited.toString());
    assertEquals("\"Task finished!\"", waited.out().strip());
    assertTrue(waited.err().contains("1/2  50% PROGRESS") && waited.err().contains("2/2 100%"), waited.err());
    String id = waited.err().lines().filter(line -> line.startsWith("task ")).findFirst().orElseThrow().substring(5).strip();

    Cli inspected = cli("tasks", "inspect", id, "--url", base);
    assertEquals(0, inspected.exit(), inspected.toString());
    assertTrue(inspected.out().contains("state     SUCCESS") && inspected.out().contains("result    \"Task finished!\""),
        inspected.out());

    Cli failed = cli("tasks", "submit", "long_running", "--args", "[-1]", "--wait", "--url", base);
    assertEquals(1, failed.exit(), failed.toString());
    String failure = failed.err().strip().lines().reduce((a, b) -> b).orElse("");
    assertTrue(failure.startsWith("switchboard: task ") && failure.endsWith("ended FAILURE: java.lang.IllegalArgumentException: "
        + "long_running(n): n must be 0 to 86400, got -1"), failure);
    String failedId = failure.substring("switchboard: task ".length(), failure.indexOf(" ended"));

    Cli listed = cli("tasks", "list", "--state", "FAILURE", "--url", base);
    assertEquals(0, listed.exit(), listed.toString());
    assertTrue(listed.out().lines().anyMatch(line -> line.startsWith(failedId) && line.contains("n must be 0")), listed.out());

    Cli status = cli("cluster", "status", "--url", base);
    assertEquals(0, status.exit(), status.toString());
    assertTrue(status.out().lines().anyMatch(line -> line.contains("gateway,consumers,worker") && line.contains(" UP ")),
        status.out());

    Cli paused = cli("queues", "pause", "default", "--url", base);
    assertEquals("queue default paused", paused.out().strip(), paused.toString());
    Cli queues = cli("queues", "list", "--url", base);
    assertTrue(queues.out().lines().anyMatch(line -> line.startsWith("default ") && line.contains("paused")), queues.out());
    Cli purged = cli("queues", "purge", "default", "--url", base);
    assertEquals("purged 0 waiting task(s) from default", purged.out().strip(), purged.toString());
    Cli resumed = cli("queues", "resume", "default", "--url", base);
    assertEquals("queue default resumed", resumed.out().strip(), resumed.toString());
    Cli workers = cli("workers", "--url", base);
    assertTrue(workers.exit() == 0 && workers.out().contains("1 live worker(s)"), workers.toString());
    assertOneLine(cli("queues", "pause", "nowhere", "--url", base), 1, "switchboard: no queue named nowhere: no task was "
        + "sent to it, no live worker consumes it and the configuration does not name it (HTTP 404)");

    assertOneLine(cli("tasks", "inspect", "no-such-id", "--url", base), 1,
        "switchboard: no task with id no-such-id (unknown or expired) (HTTP 404)");
    assertOneLine(cli("cluster", "status", "--url", "http://127.0.0.1:1"), 1,
        "switchboard: cannot reach the gateway at http://127.0.0.1:1: connection refused (is it running? see --url)");
    Cli badArgs = cli("tasks", "submit", "add", "--args", "[1,", "--url", base);
    assertEquals(2, badArgs.exit(), badArgs.toString());
    assertTrue(badArgs.err().startsWith("switchboard: --args [1,: "), badArgs.err());
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  @DisplayName("The command line's workflows: submit FILE --wait prints the chain's result, show lists its tasks, list "
      + "has it; a workflow naming an unknown task is one line with exit 1")
  void workflowsCommandLine() throws Exception {
    Path chain = Files.createTempFile("chain", ".json");
    Path unknown = Files.createTempFile("unknown", ".json");
    try {
      Files.writeString(chain, "{\"chain\": [{\"task\": \"add\", \"args\": [2, 3]}, {\"task\": \"add\", \"args\": [10]}]}");
      Files.writeString(unknown, "{\"group\": [{\"task\": \"nope\"}]}");
      Cli waited = cli("workflows", "submit", chain.toString(), "--wait", "--url", base);
      assertEquals(0, waited.exit(), waited.toString());
      assertEquals("15", waited.out().strip());
      String id = waited.err().lines().filter(line -> line.startsWith("workflow ")).findFirst().orElseThrow()
          .substring("workflow ".length()).strip();
      Cli shown = cli("workflows", "show", id, "--url", base);
      assertEquals(0, shown.exit(), shown.toString());
      assertTrue(shown.out().contains("state    SUCCESS") && shown.out().contains("result   15")
          && shown.out().lines().filter(line -> line.startsWith(id + ".") && line.contains("add") && line.endsWith("SUCCESS"))
          .count() == 2, shown.out());
      Cli listed = cli("workflows", "list", "--url", base);
      assertTrue(listed.out().lines().anyMatch(line -> line.startsWith(id) && line.contains("SUCCESS")), listed.out());
      assertOneLine(cli("workflows", "submit", unknown.toString(), "--url", base), 1,
          "switchboard: workflow: no task named \"nope\" is registered (HTTP 400)");
    } finally {
      Files.deleteIfExists(chain);
      Files.deleteIfExists(unknown);
    }
  }

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  @DisplayName("The dashboard in headless chromium: it loads, shows a task going PENDING → SUCCESS live, lists a failure "
      + "with its error, its revoke button revokes a waiting task, pause / resume hold and release a queue; a screenshot is saved")
  void dashboardInABrowser() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(CHROMIUM),
        "SKIPPED: " + CHROMIUM + " is not installed (apt-get install -y chromium; .ci/run installs it)");
    if (!Files.isDirectory(BROWSER_TEST.resolve("node_modules").resolve("playwright-core"))) {
      Process install = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(BROWSER_TEST.toFile())
          .redirectErrorStream(true).redirectOutput(Path.of("target", "it-logs", "npm-ci.log").toFile()).start();
      assertTrue(install.waitFor(180, TimeUnit.SECONDS) && install.exitValue() == 0,
          "npm ci in " + BROWSER_TEST + " failed: see target/it-logs/npm-ci.log");
    }
    Path screenshot = Path.of("target", "dashboard.png").toAbsolutePath();
    Path log = Path.of("target", "it-logs", "dashboard-browser.log");
    ProcessBuilder builder = new ProcessBuilder("node", "dashboard.test.mjs").directory(BROWSER_TEST.toFile())
        .redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().putAll(Map.of("SWITCHBOARD_URL", base, "SCREENSHOT", screenshot.toString(), "CHROMIUM", CHROMIUM.toString()));
    Process browser = ParentWatchdog.startGuarded(builder);
    boolean finished = browser.waitFor(200, TimeUnit.SECONDS);
    if (!finished) {
      browser.destroyForcibly();
    }
    String output = Files.readString(log);
    assertTrue(finished && browser.exitValue() == 0, "browser test failed:\n" + output);
    assertTrue(output.contains("8 passed, 0 failed"), output);
    assertTrue(Files.size(screenshot) > 10_000, "screenshot " + screenshot);
  }

  // --- helpers ---

  private record Cli(int exit, String out, String err) {
  }

  private static Cli cli(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", JAR.toString()));
    command.addAll(List.of(args));
    Path out = Files.createTempFile("cli", ".out");
    Path err = Files.createTempFile("cli", ".err");
    try {
      Process process = ParentWatchdog.startGuarded(new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()));
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("switchboard " + String.join(" ", args) + " did not exit within 60 s");
      }
      return new Cli(process.exitValue(), Files.readString(out), Files.readString(err));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  private static void assertOneLine(Cli cli, int exit, String line) {
    assertEquals(exit, cli.exit(), cli.toString());
    assertEquals(line, cli.err().strip());
    assertEquals("", cli.out());
  }

  private static double delta(Scrape before, Scrape after, String name, String... labels) {
    return after.sum(name, labels) - before.sum(name, labels);
  }

  private static Scrape scrape() throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode());
    assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("text/plain"));
    return Scrape.parse(response.body());
  }

  /** Scrapes until {@code condition} holds (closes are recorded asynchronously), at most 10 s. */
  private static Scrape eventually(Predicate<Scrape> condition) throws Exception {
    long deadline = System.currentTimeMillis() + 10_000;
    Scrape scrape = scrape();
    while (!condition.test(scrape)) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("condition not met within 10 s; last scrape: " + scrape.samples());
      }
      CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS)).join();
      scrape = scrape();
    }
    return scrape;
  }

  private static String submit(String name, JsonArray args, JsonObject options) throws Exception {
    JsonObject body = new JsonObject().put("args", args).put("options", options);
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + "/api/tasks/" + name))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(202, response.statusCode(), response.body());
    return new JsonObject(response.body()).getString("id");
  }

  /** Watches {@code /ws/tasks/{id}} until the task's final state. */
  private static JsonObject awaitFinal(String id) throws Exception {
    CompletableFuture<JsonObject> done = new CompletableFuture<>();
    WebSocket socket = http.newWebSocketBuilder().buildAsync(URI.create(base.replace("http", "ws") + "/ws/tasks/" + id),
        new WebSocket.Listener() {
          @Override
          public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            JsonObject event = new JsonObject(data.toString());
            if (FINAL.contains(event.getString("state"))) {
              done.complete(event);
            }
            ws.request(1);
            return null;
          }
        }).get(10, TimeUnit.SECONDS);
    try {
      return done.get(20, TimeUnit.SECONDS);
    } finally {
      socket.abort();
    }
  }

  /** A client of /ws/echo that knows how its socket closed. */
  private static final class Echo implements WebSocket.Listener {
    private final CompletableFuture<String> echoed = new CompletableFuture<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private WebSocket socket;

    static Echo open(String base) throws Exception {
      Echo echo = new Echo();
      echo.socket = http.newWebSocketBuilder().buildAsync(URI.create(base.replace("http", "ws") + "/ws/echo"), echo)
          .get(10, TimeUnit.SECONDS);
      echo.socket.sendText("hello", true);
      assertEquals("HELLO", echo.echoed.get(10, TimeUnit.SECONDS));
      return echo;
    }

    int closeNormally() throws Exception {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
      return closed.get(10, TimeUnit.SECONDS);
    }

    int sendOversized() throws Exception {
      socket.sendText("x".repeat(70 * 1024), true);
      return closed.get(10, TimeUnit.SECONDS);
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      echoed.complete(data.toString());
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
      closed.complete(statusCode);
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      closed.completeExceptionally(error);
    }
  }

}

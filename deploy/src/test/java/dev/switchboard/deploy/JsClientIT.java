package dev.switchboard.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayName("The JS client SDK (clients/js): its reconnect policy, and a reconnect in headless chromium after the consumers JVM dies")
class JsClientIT {

  private static final Path SDK = Path.of("..", "clients", "js");
  private static final Path BROWSER_TEST = Path.of("src", "test", "js");
  private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));

  private SwitchboardProcess gateway;
  private SwitchboardProcess consumers;
  private SwitchboardProcess replacement;

  @AfterEach
  void stopAll() throws Exception {
    for (SwitchboardProcess process : new SwitchboardProcess[] {gateway, consumers, replacement}) {
      if (process != null) {
        process.close();
      }
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  @DisplayName("node --test clients/js/test: backoff capped with jitter, reconnect after 1001/1006/1012/1013 only, token per attempt, re-join hook")
  void reconnectPolicy() throws Exception {
    Path log = Path.of("target", "it-logs", "sdk-unit.log");
    Files.createDirectories(log.getParent());
    Process node = ParentWatchdog.startGuarded(new ProcessBuilder("node", "--test", "test/").directory(SDK.toFile())
        .redirectErrorStream(true).redirectOutput(log.toFile()));
    boolean finished = node.waitFor(50, TimeUnit.SECONDS);
    if (!finished) {
      node.destroyForcibly();
    }
    String output = Files.readString(log);
    assertTrue(finished && node.exitValue() == 0, "SDK unit tests failed:\n" + output);
    assertTrue(output.contains("# fail 0") && !output.contains("# pass 0"), output);
  }

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  @DisplayName("In chromium, a page on the gateway connects with the SDK; kill -9 of the consumers JVM closes it with 1012, "
      + "the SDK shows 'reconnecting in N ms', and it reconnects and re-joins by itself when a new consumers JVM serves the route")
  void reconnectsInABrowserAfterTheConsumersJvmDies() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(CHROMIUM),
        "SKIPPED: " + CHROMIUM + " is not installed (apt-get install -y chromium; .ci/run installs it)");
    BrowserTests.installPlaywright(BROWSER_TEST);
    Map<String, String> env = SwitchboardProcess.clusterEnv(3);
    consumers = SwitchboardProcess.start("sdk-consumers", env, "consumers", "--cluster");
    consumers.awaitReady();
    gateway = SwitchboardProcess.start("sdk-gateway", env, "gateway", "--cluster");
    int port = gateway.awaitReady();
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    try {
      gateway.awaitClusterSize(vertx, port, 2);
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }

    ProcessBuilder builder = new ProcessBuilder("node", "sdk-reconnect.test.mjs").directory(BROWSER_TEST.toFile())
        .redirectErrorStream(true);
    builder.environment().putAll(Map.of("SWITCHBOARD_URL", "http://127.0.0.1:" + port, "CHROMIUM", CHROMIUM.toString()));
    Process browser = ParentWatchdog.startGuarded(builder);
    StringBuilder output = new StringBuilder();
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(browser.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = lines.readLine()) != null) {   // ends when the script exits (it bounds itself to 150 s)
        output.append(line).append('\n');
        if (line.equals("KILL-CONSUMERS")) {
          consumers.kill();
          replacement = SwitchboardProcess.start("sdk-consumers-2", env, "consumers", "--cluster");
        }
      }
    }
    boolean finished = browser.waitFor(30, TimeUnit.SECONDS);
    if (!finished) {
      browser.destroyForcibly();
    }
    System.out.print(output);
    assertTrue(finished && browser.exitValue() == 0, "SDK browser test failed:\n" + output);
    assertTrue(output.toString().contains("4 passed, 0 failed"), output.toString());
  }
}

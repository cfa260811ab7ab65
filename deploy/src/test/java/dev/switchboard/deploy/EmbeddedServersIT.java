package dev.switchboard.deploy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayName("The embedded redis-server and PostgreSQL die with the JVM that started them, even one killed with -9")
class EmbeddedServersIT {

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  @DisplayName("kill -9 of a node running embedded Redis and PostgreSQL leaves neither server running")
  void serversDieWithTheirJvm() throws Exception {
    Path pgDir = Path.of("target", "it-pg", "watchdog-" + UUID.randomUUID()).toAbsolutePath();
    ProcessHandle redis;
    ProcessHandle postgres;
    try (SwitchboardProcess node = SwitchboardProcess.start("embedded-servers", Map.of("SWITCHBOARD_PG_EMBEDDED_DIR", pgDir.toString()))) {
      node.awaitReady();
      redis = node.handle().children()
          .filter(child -> child.info().commandLine().orElse("").contains("redis-server")).findFirst()
          .orElseThrow(() -> new AssertionError("no redis-server child of the node"));
      long postmaster = Long.parseLong(Files.readAllLines(pgDir.resolve("postmaster.pid")).get(0).trim());
      postgres = ProcessHandle.of(postmaster).orElseThrow(() -> new AssertionError("no postmaster " + postmaster));
      node.kill();
    }
    // the servers' own exit is the event waited for; the bound only turns a leak into a failure
    for (ProcessHandle server : List.of(redis, postgres)) {
      try {
        server.onExit().get(30, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        server.destroyForcibly(); // do not leave it behind either way
        throw new AssertionError("still running 30 s after its JVM was killed: " + server.info().commandLine().orElse(server.toString()));
      }
      assertFalse(server.isAlive());
    }
    assertTrue(Files.exists(pgDir));
  }
}

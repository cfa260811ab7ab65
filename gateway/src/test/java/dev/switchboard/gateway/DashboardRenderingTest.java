package dev.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs the dashboard's rendering tests (src/test/js, {@code node --test}) in the build. Without node it fails rather
 * than skips: a skipped test reads as a pass, and the escaping it checks would go unchecked ({@code .ci/run} installs
 * node).
 */
@DisplayName("Dashboard rendering")
class DashboardRenderingTest {

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  @DisplayName("node --test src/test/js: progress from task code is escaped, numeric progress renders as a bar")
  void renderingTests() throws IOException, InterruptedException {
    assertTrue(onPath("node"), "node is not on the PATH, so the dashboard's rendering is untested: "
        + "apt-get install -y nodejs (.ci/run installs it when missing)");
    Path log = Files.createTempFile("dashboard-render", ".log");
    try {
      Process node = new ProcessBuilder("node", "--test", "src/test/js/").redirectErrorStream(true).redirectOutput(log.toFile()).start();
      boolean finished = node.waitFor(50, TimeUnit.SECONDS);
      if (!finished) {
        node.destroyForcibly();
      }
      String output = Files.readString(log, StandardCharsets.UTF_8);
      assertTrue(finished && node.exitValue() == 0, "dashboard rendering tests failed:\n" + output);
      assertTrue(output.contains("# fail 0") && !output.contains("# pass 0"), output);
    } finally {
      Files.deleteIfExists(log);
    }
  }

  private static boolean onPath(String command) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(java.io.File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, command))) {
        return true;
      }
    }
    return false;
  }
}

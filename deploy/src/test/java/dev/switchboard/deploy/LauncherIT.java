package dev.switchboard.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The launcher refuses bad input with one clear line and exit code 2")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LauncherIT {

  @Test
  @DisplayName("an unknown role")
  void unknownRole() throws Exception {
    assertRefused(Map.of(), "switchboard: unknown role 'frontend': expected all, gateway, consumers or worker", "frontend");
  }

  @Test
  @DisplayName("a config file that cannot be read")
  void unreadableConfig() throws Exception {
    assertRefused(Map.of(), "switchboard: config file /nonexistent/switchboard.yaml cannot be read",
        "--config", "/nonexistent/switchboard.yaml");
  }

  @Test
  @DisplayName("a config file that is not valid JSON")
  void malformedConfig(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("bad.json");
    Files.writeString(file, "{\"http\": ");
    String line = runRefused(Map.of(), "--config", file.toString());
    assertEquals(true, line.startsWith("switchboard: config file " + file + " is not valid"), line);
  }

  @Test
  @DisplayName("a bad value in the environment")
  void badEnvironmentValue() throws Exception {
    assertRefused(Map.of("SWITCHBOARD_HTTP_PORT", "eighty"), "switchboard: http.port: expected an integer, got \"eighty\"");
  }

  @Test
  @DisplayName("an unknown option")
  void unknownOption() throws Exception {
    String line = runRefused(Map.of(), "--clustre");
    assertEquals(true, line.startsWith("switchboard: Unknown option: '--clustre'"), line);
  }

  private static void assertRefused(Map<String, String> env, String expectedLine, String... args) throws Exception {
    assertEquals(expectedLine, runRefused(env, args));
  }

  private static String runRefused(Map<String, String> env, String... args) throws Exception {
    try (SwitchboardProcess process = SwitchboardProcess.start("launcher", env, args)) {
      assertEquals(2, process.awaitExit(), process.output());
      String output = process.output().strip();
      assertFalse(output.contains("\tat "), "no stack trace expected: " + output);
      assertEquals(1, output.lines().count(), "one line expected: " + output);
      return output;
    }
  }
}

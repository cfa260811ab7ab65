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

  @Test
  @DisplayName("an app jar that does not exist")
  void missingAppJar() throws Exception {
    assertRefused(Map.of(), "switchboard: app jar /nonexistent/app.jar does not exist or is not a file", "--app", "/nonexistent/app.jar");
  }

  @Test
  @DisplayName("an app jar whose services file names a class it does not have (given in SWITCHBOARD_APPS)")
  void brokenAppJar(@TempDir Path dir) throws Exception {
    Path jar = AppJar.jar(dir.resolve("broken.jar"), null, "testapp.Missing");
    String line = runRefused(Map.of("SWITCHBOARD_APPS", jar.toString()));
    assertEquals(true, line.startsWith("switchboard: an app cannot be loaded: ") && line.contains("testapp.Missing"), line);
  }

  @Test
  @DisplayName("an app that claims a route the built-in app serves")
  void duplicateRoute(@TempDir Path dir) throws Exception {
    Path jar = AppJar.build(dir, "EchoAgain", """
        package testapp;
        public final class EchoAgain implements dev.switchboard.api.SwitchboardApp {
          public void configure(dev.switchboard.api.AppBuilder app) {
            app.websocket("/ws/echo", "echo-again", Echo::new);
          }
          public static final class Echo extends dev.switchboard.api.consumers.WebsocketConsumer {
          }
        }
        """);
    assertRefused(Map.of(), "switchboard: route /ws/echo of app echoagain is already claimed by app switchboard (route /ws/echo)",
        "--app", jar.toString());
  }

  @Test
  @DisplayName("an app that claims a task name the built-in tasks use")
  void duplicateTask(@TempDir Path dir) throws Exception {
    Path jar = AppJar.build(dir, "AddAgain", """
        package testapp;
        public final class AddAgain implements dev.switchboard.api.SwitchboardApp {
          public void configure(dev.switchboard.api.AppBuilder app) {
            app.task("add", dev.switchboard.api.tasks.TaskSignature.of(), context -> io.vertx.core.Future.succeededFuture());
          }
        }
        """);
    assertRefused(Map.of(), "switchboard: task add of app addagain is already claimed by app switchboard-tasks (task add)",
        "--app", jar.toString());
  }

  @Test
  @DisplayName("an app with a malformed route pattern")
  void badRoutePattern(@TempDir Path dir) throws Exception {
    Path jar = AppJar.build(dir, "BadRoute", """
        package testapp;
        public final class BadRoute implements dev.switchboard.api.SwitchboardApp {
          public void configure(dev.switchboard.api.AppBuilder app) {
            app.websocket("/ws//:", Nothing::new);
          }
          public static final class Nothing extends dev.switchboard.api.consumers.WebsocketConsumer {
          }
        }
        """);
    assertRefused(Map.of(), "switchboard: app badroute: bad route pattern \"/ws//:\": empty segment (\"//\" or a trailing '/')",
        "--app", jar.toString());
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

package dev.switchboard.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The launcher loads every app jar of --app and SWITCHBOARD_APPS, and refuses bad input with one clear line and exit code 2")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LauncherIT {

  private static final String REDIS_URL = System.getenv().getOrDefault("SWITCHBOARD_TEST_REDIS_URL", "redis://127.0.0.1:6379");
  private final List<SwitchboardProcess> started = new java.util.ArrayList<>();
  private io.vertx.core.Vertx vertx;
  // a field: Vert.x closes an unreachable client (a Cleaner), and with it the requests using it
  private io.vertx.ext.web.client.WebClient web;

  @AfterEach
  void stopAll() throws Exception {
    for (SwitchboardProcess process : started) {
      process.close();
    }
    if (vertx != null) {
      vertx.close().await();
    }
  }

  private SwitchboardProcess start(String name, Map<String, String> env, String... args) throws Exception {
    SwitchboardProcess process = SwitchboardProcess.start(name, env, args);
    started.add(process);
    return process;
  }

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  @DisplayName("--app given twice, a two-entry SWITCHBOARD_APPS (path-list separator), and both at once: every app's route is served and listed")
  void everyAppJarLoaded(@TempDir Path dir) throws Exception {
    Map<String, Path> jars = new java.util.TreeMap<>();
    for (String name : List.of("Alpha", "Beta", "Gamma", "Delta")) {
      String lower = name.toLowerCase(java.util.Locale.ROOT);
      jars.put(lower, AppJar.build(dir.resolve(lower), name, """
          package testapp;
          public final class NAME implements dev.switchboard.api.SwitchboardApp {
            public void configure(dev.switchboard.api.AppBuilder app) {
              app.http("/launched/LOWER", Hello::new);
            }
            public static final class Hello extends dev.switchboard.api.http.HttpConsumer {
              protected io.vertx.core.Future<Void> handle(dev.switchboard.api.http.HttpRequest request) {
                return sendJson(200, new io.vertx.core.json.JsonObject().put("app", "LOWER"));
              }
            }
          }
          """.replace("NAME", name).replace("LOWER", lower)));
    }
    String sep = java.io.File.pathSeparator;
    Map<String, String> env = Map.of("SWITCHBOARD_REDIS_URL", REDIS_URL);
    Map<String, String> bothEnv = Map.of("SWITCHBOARD_REDIS_URL", REDIS_URL,
        "SWITCHBOARD_APPS", jars.get("gamma") + sep + jars.get("delta"));
    // three nodes at once: --app twice; SWITCHBOARD_APPS with two entries; --app twice and SWITCHBOARD_APPS with two more
    List<Object[]> runs = List.of(
        new Object[] {List.of("alpha", "beta"), start("apps-twice", env,
            "gateway", "consumers", "--app", jars.get("alpha").toString(), "--app", jars.get("beta").toString())},
        new Object[] {List.of("gamma", "delta"), start("apps-env", bothEnv, "gateway", "consumers")},
        new Object[] {List.of("alpha", "beta", "gamma", "delta"), start("apps-both", bothEnv,
            "gateway", "consumers", "--app", jars.get("alpha").toString(), "--app", jars.get("beta").toString())});
    vertx = io.vertx.core.Vertx.vertx();
    web = io.vertx.ext.web.client.WebClient.create(vertx);
    for (Object[] run : runs) {
      @SuppressWarnings("unchecked")
      List<String> expected = (List<String>) run[0];
      SwitchboardProcess node = (SwitchboardProcess) run[1];
      int port = node.awaitReady();
      // a node's own announcement reaches its route table just after "ready"
      Eventually.eventually(vertx, 20_000, () -> web.get(port, "127.0.0.1", "/api/routes").send()
          .map(reply -> expected.stream().allMatch(app -> reply.bodyAsString().contains("/launched/" + app))))
          .recover(err -> Future.failedFuture(new AssertionError("routes of " + expected + " not all listed by " + node.output(), err)))
          .await(30, TimeUnit.SECONDS);
      for (String app : List.of("alpha", "beta", "gamma", "delta")) {
        var reply = web.get(port, "127.0.0.1", "/launched/" + app).send().await(10, TimeUnit.SECONDS);
        if (expected.contains(app)) {
          assertEquals(200, reply.statusCode(), app + ": " + reply.bodyAsString());
          assertEquals(app, reply.bodyAsJsonObject().getString("app"));
        } else {
          assertEquals(404, reply.statusCode(), app + " was not given to this node: " + reply.bodyAsString());
        }
      }
    }
  }

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

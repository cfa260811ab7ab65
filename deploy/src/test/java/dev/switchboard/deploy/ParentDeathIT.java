package dev.switchboard.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A test JVM killed with -9 (a CI timeout, a developer's Ctrl-\) runs no {@code @AfterEach} and no shutdown hook: what
 * it started must die anyway. Here a middle JVM plays the test: it starts a child JVM through {@link SwitchboardProcess}
 * and a redis-server of its own through {@link EmbeddedRedis} (as FaultUnderLoadIT and CeleryBrokerTest do), then is
 * killed with -9.
 */
@DisplayName("What a test starts dies with the test's JVM, even one killed with -9")
class ParentDeathIT {

  private static final String READY = "children started";
  private final List<ProcessHandle> started = new ArrayList<>();

  @AfterEach
  void stop() {
    started.forEach(ProcessHandle::destroyForcibly);
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  @DisplayName("kill -9 of a JVM that started a child JVM and a redis-server the way the tests do: both children exit")
  void childrenDieWithTheirJvm() throws Exception {
    Process middle = ParentWatchdog.startGuarded(new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m", "-XX:TieredStopAtLevel=1",
        "-cp", Path.of("target", "switchboard.jar") + File.pathSeparator + Path.of("target", "test-classes"),
        Middle.class.getName()).redirectErrorStream(true));
    started.add(middle.toHandle());
    StringBuilder output = new StringBuilder();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(middle.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null && !line.equals(READY)) {
        output.append(line).append('\n');
      }
      assertEquals(READY, line, "the middle JVM did not start its children: " + output);
      List<ProcessHandle> children = middle.toHandle().children()
          .filter(child -> child.info().commandLine().map(command -> command.contains(Leaf.class.getName())
              || command.contains("redis-server")).orElse(false))
          .toList();
      started.addAll(children);
      assertEquals(2, children.size(), "a leaf JVM and a redis-server: " + children.stream()
          .map(child -> child.info().commandLine().orElse("?")).toList());

      middle.destroyForcibly().waitFor(30, TimeUnit.SECONDS);

      // the children's own exit is the event waited for; the bound only turns a leak into a failure
      for (ProcessHandle child : children) {
        try {
          child.onExit().get(30, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
          throw new AssertionError("still running 30 s after the JVM that started it was killed: "
              + child.info().commandLine().orElse(child.toString()));
        }
        assertFalse(child.isAlive());
      }
    }
  }

  /** The test's stand-in: starts a leaf JVM and a redis-server as the tests do, says so, and waits to be killed. */
  public static final class Middle {
    public static void main(String[] args) throws Exception {
      SwitchboardProcess.startMain("parent-death-leaf", Map.of("SWITCHBOARD_PG_URL", "postgresql://unused"), Leaf.class.getName());
      int port;
      try (ServerSocket socket = new ServerSocket(0)) {
        port = socket.getLocalPort();
      }
      EmbeddedRedis.start(port, List.of("save \"\"", "appendonly no"));
      System.out.println(READY);
      new CountDownLatch(1).await();
    }
  }

  /** A child JVM that does nothing (it never reads its stdin, whose closing would end it for the wrong reason). */
  public static final class Leaf {
    public static void main(String[] args) throws Exception {
      new CountDownLatch(1).await();
    }
  }
}

package dev.switchboard.deploy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One Switchboard JVM started from the built jar, for cluster tests: port 0, the given cluster name, its
 * output kept (and echoed with a prefix). {@link #ready} waits for "Switchboard ready: ... http port N".
 */
final class SwitchboardProcess implements AutoCloseable {

  private static final Pattern READY = Pattern.compile("Switchboard ready: .* http port (\\d+).*, node ([0-9a-f-]+)");
  static final Path JAR = Path.of("target", "switchboard.jar");

  private final String name;
  private final Process process;
  private final List<String> output = new ArrayList<>();
  private final CompletableFuture<Integer> port = new CompletableFuture<>();
  private volatile String nodeId;

  private SwitchboardProcess(String name, Process process) {
    this.name = name;
    this.process = process;
    Thread reader = new Thread(this::readOutput, "out-" + name);
    reader.setDaemon(true);
    reader.start();
  }

  static SwitchboardProcess start(String name, String cluster, Map<String, String> env, String... roles) throws IOException {
    if (!Files.isRegularFile(JAR)) {
      throw new IllegalStateException(JAR.toAbsolutePath() + " is missing: run mvn package first");
    }
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-Dhazelcast.wait.seconds.before.join=0", "-Dhazelcast.logging.type=slf4j",
        "-jar", JAR.toString()));
    command.addAll(List.of(roles));
    command.add("--cluster");
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("SWITCHBOARD_HTTP_PORT", "0");
    builder.environment().put("SWITCHBOARD_TCP_ECHO_PORT", "0");
    builder.environment().put("SWITCHBOARD_CLUSTER_NAME", cluster);
    builder.environment().putAll(env);
    return new SwitchboardProcess(name, builder.start());
  }

  /** Waits until the node logs that it is ready; returns its HTTP port. */
  int ready(long timeoutSeconds) throws Exception {
    try {
      return port.get(timeoutSeconds, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(name + " was not ready within " + timeoutSeconds + " s; output:\n" + output(), e);
    }
  }

  /** The cluster node id it logged when ready. */
  String nodeId() {
    return nodeId;
  }

  /** kill -9. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  synchronized String output() {
    return String.join("\n", output);
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        kill();
      }
    }
  }

  private void readOutput() {
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        synchronized (this) {
          output.add(line);
        }
        System.out.println("[" + name + "] " + line);
        Matcher ready = READY.matcher(line);
        if (ready.find()) {
          nodeId = ready.group(2);
          port.complete(Integer.parseInt(ready.group(1)));
        }
      }
    } catch (IOException e) {
      // the process ended
    }
    port.completeExceptionally(new IllegalStateException(name + " exited with " + process.exitValue()));
  }
}

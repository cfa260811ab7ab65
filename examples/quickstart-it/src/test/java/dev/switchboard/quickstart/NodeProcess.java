package dev.switchboard.quickstart;

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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A Switchboard JVM from deploy/target/switchboard.jar; output in target/it-logs/NAME.log. */
final class NodeProcess implements AutoCloseable {

  static final Path SWITCHBOARD_JAR = Path.of("..", "..", "deploy", "target", "switchboard.jar");
  static final Path QUICKSTART_JAR = Path.of("..", "quickstart", "target", "quickstart.jar");
  private static final Pattern READY = Pattern.compile("Switchboard ready: .*http port (\\d+)");

  private final Process process;
  private final CompletableFuture<Integer> ready = new CompletableFuture<>();
  private final StringBuilder output = new StringBuilder();

  private NodeProcess(Process process, Path log) {
    this.process = process;
    Thread reader = new Thread(() -> pump(log), "output-of-" + log.getFileName());
    reader.setDaemon(true);
    reader.start();
  }

  static NodeProcess start(String name, Map<String, String> env, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dhazelcast.wait.seconds.before.join=0",
        "-jar", SWITCHBOARD_JAR.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    Map<String, String> environment = new HashMap<>(Map.of("SWITCHBOARD_HTTP_PORT", "0", "SWITCHBOARD_TCP_ECHO_PORT", "0"));
    environment.putAll(env);
    builder.environment().keySet().removeIf(key -> key.startsWith("SWITCHBOARD_"));
    builder.environment().putAll(environment);
    Path logs = Files.createDirectories(Path.of("target", "it-logs"));
    return new NodeProcess(builder.start(), logs.resolve(name + ".log"));
  }

  /** Waits on the test thread until the node logs "Switchboard ready"; its HTTP port. */
  int awaitReady() {
    try {
      return ready.get(90, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("node did not become ready: " + output(), e);
    }
  }

  /** kill -9. */
  void kill() throws InterruptedException {
    process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
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
          ready.complete(Integer.parseInt(matcher.group(1)));
        }
      }
    } catch (IOException e) {
      ready.completeExceptionally(e);
    }
    ready.completeExceptionally(new IllegalStateException("process exited before it was ready"));
  }
}

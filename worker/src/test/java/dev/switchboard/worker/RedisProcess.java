package dev.switchboard.worker;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A redis-server of the test's own (the machine's {@code /usr/bin/redis-server}) on a free loopback port, with
 * an append-only file fsynced on every write, so that it can be stopped and started again on the same port with
 * its data. Blocking methods: call them from the test thread or a worker thread, never an event loop.
 */
final class RedisProcess implements AutoCloseable {

  static final String BINARY = System.getenv().getOrDefault("SWITCHBOARD_TEST_REDIS_SERVER", "/usr/bin/redis-server");

  private final int port;
  private final Path dir;
  private Process process;

  RedisProcess(Path dir) {
    this.dir = dir;
    try (ServerSocket socket = new ServerSocket(0)) {
      this.port = socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Path dir() {
    return dir;
  }

  String url() {
    return "redis://127.0.0.1:" + port;
  }

  /** Starts the server and returns once it logs that it accepts connections (data loaded). */
  void start() throws Exception {
    start(List.of());
  }

  /** A replica of {@code primary}, started as {@link #start()} does. */
  void startReplicaOf(RedisProcess primary) throws Exception {
    start(List.of("--replicaof", "127.0.0.1", String.valueOf(primary.port)));
  }

  private void start(List<String> extra) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of(BINARY, "--port", String.valueOf(port), "--bind",
        "127.0.0.1", "--dir", dir.toString(), "--appendonly", "yes", "--appendfsync", "always", "--save", ""));
    command.addAll(extra);
    process = new ProcessBuilder(command).redirectErrorStream(true).start();
    watch(process);
    CompletableFuture<Void> ready = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          if (line.contains("Ready to accept connections")) {
            ready.complete(null);
          }
        }
      } catch (IOException e) {
        ready.completeExceptionally(e);
      }
      ready.completeExceptionally(new IllegalStateException("redis-server on port " + port + " exited before it was ready"));
    }, "redis-" + port);
    reader.setDaemon(true);
    reader.start();
    ready.get(20, TimeUnit.SECONDS);
  }

  /**
   * Makes the server die with this JVM even when the JVM is killed with -9 (no shutdown hook runs then): a small
   * {@code sh} blocks reading a pipe whose only writer is this JVM, and signals the server when the kernel closes that
   * pipe. The same mechanism as the node's embedded servers ({@code deploy}'s {@code ParentWatchdog}), which this
   * module cannot see. It ends with the server.
   */
  private static void watch(Process server) throws IOException {
    Process watcher = new ProcessBuilder("/bin/sh", "-c", "read unused; kill -KILL " + server.pid() + " 2>/dev/null")
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    server.onExit().thenRun(watcher::destroyForcibly);
  }

  /** SIGTERM (redis-server flushes and exits), then waits for the exit. */
  void stop() throws Exception {
    if (process != null && process.isAlive()) {
      process.toHandle().destroy();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  @Override
  public void close() throws Exception {
    if (process != null && process.isAlive()) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}

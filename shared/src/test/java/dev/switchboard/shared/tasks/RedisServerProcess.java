package dev.switchboard.shared.tasks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A redis-server of the test's own (the machine's {@code /usr/bin/redis-server}) on a free loopback port, in a
 * directory of the test's, whose log lines a test can wait for. Blocking methods: call them from the test thread.
 */
final class RedisServerProcess implements AutoCloseable {

  static final String BINARY = System.getenv().getOrDefault("SWITCHBOARD_TEST_REDIS_SERVER", "/usr/bin/redis-server");

  private final int port;
  private final Path dir;
  private final Map<String, CompletableFuture<Void>> awaited = new ConcurrentHashMap<>();
  private final List<String> log = java.util.Collections.synchronizedList(new ArrayList<>());
  private Process process;

  RedisServerProcess(Path dir) {
    this.dir = dir;
    try (ServerSocket socket = new ServerSocket(0)) {
      this.port = socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  int port() {
    return port;
  }

  String url() {
    return "redis://127.0.0.1:" + port;
  }

  /** Starts the server with {@code options} (no persistence unless they say so) and returns once it logs {@code line}. */
  RedisServerProcess start(String line, String... options) throws Exception {
    List<String> command = new ArrayList<>(List.of(BINARY, "--port", String.valueOf(port), "--bind", "127.0.0.1",
        "--dir", dir.toString(), "--save", "", "--appendonly", "no"));
    command.addAll(List.of(options));
    CompletableFuture<Void> ready = awaiting(line);
    process = new ProcessBuilder(command).redirectErrorStream(true).start();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String read;
        while ((read = in.readLine()) != null) {
          log.add(read);
          String current = read;
          awaited.forEach((text, seen) -> {
            if (current.contains(text)) {
              seen.complete(null);
            }
          });
        }
      } catch (IOException e) {
        // the process went away: the waits below fail
      }
      awaited.values().forEach(seen -> seen.completeExceptionally(
          new IllegalStateException("redis-server on port " + port + " exited; its log: " + log)));
    }, "redis-" + port);
    reader.setDaemon(true);
    reader.start();
    ready.get(20, TimeUnit.SECONDS);
    return this;
  }

  /** A future of the first log line containing {@code text} from now on; register before causing it. */
  CompletableFuture<Void> awaiting(String text) {
    return awaited.computeIfAbsent(text, t -> new CompletableFuture<>());
  }

  @Override
  public void close() throws Exception {
    if (process != null && process.isAlive()) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}

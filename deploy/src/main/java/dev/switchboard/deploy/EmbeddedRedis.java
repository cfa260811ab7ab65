package dev.switchboard.deploy;

import java.io.IOException;
import java.net.ServerSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisServer;

/**
 * A real redis-server (from the embedded-redis artifact) on a free loopback port, used when no
 * {@code SWITCHBOARD_REDIS_URL} is configured so that {@code java -jar} runs tasks on a bare machine.
 * Nothing is persisted: deployments name their own Redis by URL. The server dies with this JVM, even a JVM killed
 * with -9 ({@link ParentWatchdog}).
 */
final class EmbeddedRedis implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedRedis.class);

  private final RedisServer server;
  private final int port;
  private final ParentWatchdog watchdog;

  private EmbeddedRedis(RedisServer server, int port, ParentWatchdog watchdog) {
    this.server = server;
    this.port = port;
    this.watchdog = watchdog;
  }

  static EmbeddedRedis start() throws IOException {
    int port = freePort();
    EmbeddedRedis redis = start(port, java.util.List.of("save \"\"", "appendonly no", "maxmemory-policy noeviction"));
    log.info("no SWITCHBOARD_REDIS_URL set: started embedded Redis on 127.0.0.1:{}", port);
    return redis;
  }

  /**
   * A redis-server on {@code port} with these config lines ({@code "appendonly yes"}, {@code "dir /some/where"}), under
   * the same watchdog: for tests that need a Redis of their own (persistent, restartable on the same port).
   */
  static EmbeddedRedis start(int port, java.util.List<String> settings) throws IOException {
    redis.embedded.core.RedisServerBuilder builder = RedisServer.newRedisServer().bind("127.0.0.1").port(port);
    settings.forEach(builder::setting);
    RedisServer server = builder.build();
    java.util.Set<Long> before = childPids();
    server.start();
    return new EmbeddedRedis(server, port, watch(port, before));
  }

  String url() {
    return "redis://127.0.0.1:" + port;
  }

  private static java.util.Set<Long> childPids() {
    return ProcessHandle.current().children().map(ProcessHandle::pid).collect(java.util.stream.Collectors.toSet());
  }

  /**
   * The redis-server child that {@code start()} just created (the library does not expose its process, and passes
   * the port in a config file, not on the command line), under a watchdog.
   */
  private static ParentWatchdog watch(int port, java.util.Set<Long> before) {
    return ProcessHandle.current().children()
        .filter(child -> !before.contains(child.pid()))
        .filter(child -> child.info().command().map(command -> command.contains("redis-server")).orElse(false))
        .findFirst()
        .map(child -> ParentWatchdog.guard(child.pid(), "TERM"))
        .orElseGet(() -> {
          log.warn("cannot find the embedded redis-server process of port {}: it may outlive this JVM if the JVM is killed", port);
          return ParentWatchdog.none();
        });
  }

  @Override
  public void close() {
    watchdog.close();
    try {
      server.stop();
    } catch (IOException e) {
      log.warn("embedded Redis did not stop cleanly: {}", e.getMessage());
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}

package dev.switchboard.deploy;

import java.io.IOException;
import java.net.ServerSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisServer;

/**
 * A real redis-server (from the embedded-redis artifact) on a free loopback port, used when no
 * {@code SWITCHBOARD_REDIS_URL} is configured so that {@code java -jar} runs tasks on a bare machine.
 * Nothing is persisted: deployments name their own Redis by URL.
 */
final class EmbeddedRedis implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedRedis.class);

  private final RedisServer server;
  private final int port;

  private EmbeddedRedis(RedisServer server, int port) {
    this.server = server;
    this.port = port;
  }

  static EmbeddedRedis start() throws IOException {
    int port = freePort();
    RedisServer server = RedisServer.newRedisServer()
        .bind("127.0.0.1")
        .port(port)
        .setting("save \"\"")
        .setting("appendonly no")
        .setting("maxmemory-policy noeviction")
        .build();
    server.start();
    log.info("no SWITCHBOARD_REDIS_URL set: started embedded Redis on 127.0.0.1:{}", port);
    return new EmbeddedRedis(server, port);
  }

  String url() {
    return "redis://127.0.0.1:" + port;
  }

  @Override
  public void close() {
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

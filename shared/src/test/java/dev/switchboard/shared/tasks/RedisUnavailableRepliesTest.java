package dev.switchboard.shared.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each case starts real redis-servers of its own in the state that answers the error (they are killed after it);
 * the test thread waits on the clients' Futures, never on an event loop.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Error replies of a Redis that cannot serve now (LOADING, READONLY, MASTERDOWN, BUSY) fail commands as unavailable")
class RedisUnavailableRepliesTest {

  private final List<AutoCloseable> started = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (int i = started.size() - 1; i >= 0; i--) {
      started.get(i).close();
    }
  }

  private RedisServerProcess server(Path dir, String readyLine, String... options) throws Exception {
    RedisServerProcess server = new RedisServerProcess(dir);
    started.add(server);
    return server.start(readyLine, options);
  }

  private MultiplexedRedis client(Vertx vertx, RedisServerProcess server) {
    MultiplexedRedis redis = MultiplexedRedis.create(vertx, new RedisOptions().setConnectionString(server.url()));
    started.add(() -> await(redis.close()));
    return redis;
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** The failure of {@code future}, which must fail. */
  private static Throwable failure(Future<?> future) throws Exception {
    try {
      Object value = await(future);
      throw new AssertionError("expected a failure, got " + value);
    } catch (ExecutionException e) {
      return e.getCause();
    }
  }

  private static void assertUnavailable(String code, Throwable error) {
    assertInstanceOf(RedisUnavailableException.class, error, "expected unavailable for " + code + ": " + error);
    assertTrue(error.getMessage().contains(code), error.getMessage());
    assertEquals(code, MultiplexedRedis.errorCode(error.getCause()));
  }

  @Test
  @Timeout(60_000)
  @DisplayName("A Redis restarting (loading its data) answers LOADING: the command fails unavailable (HTTP 503), not as a script error")
  void loading(Vertx vertx, @TempDir Path dir) throws Exception {
    RedisServerProcess writer = server(dir, "Ready to accept connections", "--enable-debug-command", "yes",
        "--rdbcompression", "no");
    Redis seed = Redis.createClient(vertx, writer.url());
    // 20,000 keys of 1,100 bytes: with a 10 ms delay per key the restart below loads for at least 200 s
    await(seed.send(Request.cmd(Command.DEBUG).arg("POPULATE").arg(20_000).arg("key").arg(1_100)));
    await(seed.send(Request.cmd(Command.SAVE)));
    await(seed.close());
    writer.close();

    RedisServerProcess restarting = server(dir, "Loading RDB produced by", "--key-load-delay", "10000",
        "--loading-process-events-interval-bytes", "1024");
    MultiplexedRedis redis = client(vertx, restarting);
    assertUnavailable("LOADING", failure(redis.send(Request.cmd(Command.GET).arg("key:1"))));
    // scripts go through the same connection, and LuaScript keeps an unavailable failure as it is (503, not 500)
    // a batch fails with one error, a line per failed command
    Throwable batch = failure(redis.batch(List.of(Request.cmd(Command.GET).arg("key:2"))));
    assertInstanceOf(RedisUnavailableException.class, batch, "a batch: " + batch);
    assertTrue(batch.getMessage().contains("LOADING"), batch.getMessage());
  }

  @Test
  @Timeout(60_000)
  @DisplayName("A failed-over Redis (now a replica) answers READONLY or MASTERDOWN: unavailable, and the connection is replaced")
  void replica(Vertx vertx, @TempDir Path dir) throws Exception {
    int goneprimary;
    try (ServerSocket socket = new ServerSocket(0)) {
      goneprimary = socket.getLocalPort();
    }
    RedisServerProcess replica = server(dir, "Ready to accept connections", "--replicaof", "127.0.0.1",
        String.valueOf(goneprimary), "--replica-serve-stale-data", "no");
    MultiplexedRedis redis = client(vertx, replica);
    long first = await(redis.send(Request.cmd(Command.CLIENT).arg("ID"))).toLong();

    assertUnavailable("READONLY", failure(redis.send(Request.cmd(Command.SET).arg("k").arg("v"))));
    long second = await(redis.send(Request.cmd(Command.CLIENT).arg("ID"))).toLong();
    assertNotEquals(first, second, "the connection to the replica was kept");

    assertUnavailable("MASTERDOWN", failure(redis.send(Request.cmd(Command.GET).arg("k"))));
    long third = await(redis.send(Request.cmd(Command.CLIENT).arg("ID"))).toLong();
    assertNotEquals(second, third, "the connection to the replica was kept");
  }

  @Test
  @Timeout(60_000)
  @DisplayName("A Redis busy in a script past its limit answers BUSY: unavailable; other error replies pass through unchanged")
  void busy(Vertx vertx, @TempDir Path dir) throws Exception {
    RedisServerProcess server = server(dir, "Ready to accept connections", "--busy-reply-threshold", "50");
    MultiplexedRedis redis = client(vertx, server);
    await(redis.send(Request.cmd(Command.SET).arg("text").arg("v")));
    Throwable wrongType = failure(redis.send(Request.cmd(Command.LPUSH).arg("text").arg("x")));
    assertEquals("WRONGTYPE", MultiplexedRedis.errorCode(wrongType), "an ordinary error reply is still the reply");
    assertNull(MultiplexedRedis.errorCode(new IllegalStateException("LOADING")), "only replies have codes");

    Redis looper = Redis.createClient(vertx, server.url());
    started.add(() -> looper.close());
    RedisConnection blocked = await(looper.connect());
    var slow = server.awaiting("Slow script detected");
    blocked.send(Request.cmd(Command.EVAL).arg("while true do end").arg(0)); // answers only when killed
    slow.get(30, TimeUnit.SECONDS);
    assertUnavailable("BUSY", failure(redis.send(Request.cmd(Command.GET).arg("text"))));
  }
}

package dev.switchboard.shared.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("The pipelined Redis connection: a Redis that is away or silent fails commands as unavailable, never hangs them")
class MultiplexedRedisTest {

  @Test
  @Timeout(40_000)
  @DisplayName("A half-open Redis (accepts, never answers): the command fails unavailable after the timeout, the next reconnects")
  void silentRedisTimesOut(Vertx vertx, VertxTestContext testContext) {
    AtomicInteger connections = new AtomicInteger();
    // reads everything, answers nothing: what a connection to a failed-over Redis looks like from this side
    NetServer silent = vertx.createNetServer().connectHandler(socket -> {
      connections.incrementAndGet();
      socket.handler(bytes -> { });
    });
    long started = System.currentTimeMillis();
    silent.listen(0, "127.0.0.1").compose(server -> {
      MultiplexedRedis redis = MultiplexedRedis.create(vertx, new RedisOptions()
          .setConnectionString("redis://127.0.0.1:" + server.actualPort()).setProtocolNegotiation(false));
      return redis.send(Request.cmd(Command.PING))
          .transform(first -> {
            testContext.verify(() -> {
              assertTrue(first.failed(), "a silent Redis answered?");
              assertInstanceOf(RedisUnavailableException.class, first.cause());
              assertTrue(System.currentTimeMillis() - started >= MultiplexedRedis.COMMAND_TIMEOUT_MS);
            });
            return redis.send(Request.cmd(Command.PING));
          })
          .transform(second -> {
            testContext.verify(() -> {
              assertInstanceOf(RedisUnavailableException.class, second.cause());
              assertEquals(2, connections.get(), "the stalled connection was dropped and a new one opened: " + second.cause());
            });
            return redis.close();
          });
    }).onComplete(testContext.succeedingThenComplete());
  }

  @Test
  @Timeout(10_000)
  @DisplayName("Nothing listens where Redis should be: the command fails unavailable at once")
  void refusedIsUnavailable(Vertx vertx, VertxTestContext testContext) {
    vertx.createNetServer().connectHandler(socket -> socket.close()).listen(0, "127.0.0.1").compose(server -> {
      int port = server.actualPort();
      return server.close().map(port);
    }).compose(port -> {
      MultiplexedRedis redis = MultiplexedRedis.create(vertx, new RedisOptions().setConnectionString("redis://127.0.0.1:" + port));
      return redis.send(Request.cmd(Command.PING)).transform(reply -> {
        testContext.verify(() -> assertInstanceOf(RedisUnavailableException.class, reply.cause()));
        return redis.close();
      });
    }).onComplete(testContext.succeedingThenComplete());
  }
}

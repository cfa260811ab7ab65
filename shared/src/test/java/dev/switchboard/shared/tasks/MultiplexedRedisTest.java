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

  @Test
  @Timeout(30_000)
  @DisplayName("Past MAX_IN_FLIGHT commands in flight (connecting or awaiting replies), the next fails unavailable at once and is counted; a batch counts its requests")
  void inFlightBoundCounted(Vertx vertx, VertxTestContext testContext) {
    NetServer silent = vertx.createNetServer().connectHandler(socket -> socket.handler(bytes -> { }));
    silent.listen(0, "127.0.0.1").compose(server -> {
      MultiplexedRedis redis = MultiplexedRedis.create(vertx, new RedisOptions()
          .setConnectionString("redis://127.0.0.1:" + server.actualPort()).setProtocolNegotiation(false));
      java.util.List<io.vertx.core.Future<?>> pending = new java.util.ArrayList<>();
      for (int i = 0; i < MultiplexedRedis.MAX_IN_FLIGHT - 1; i++) {
        pending.add(redis.send(Request.cmd(Command.PING)));
      }
      io.vertx.core.Future<?> tooBigBatch = redis.batch(java.util.List.of(Request.cmd(Command.PING), Request.cmd(Command.PING)));
      io.vertx.core.Future<?> last = redis.send(Request.cmd(Command.PING));
      io.vertx.core.Future<?> over = redis.send(Request.cmd(Command.PING));
      return io.vertx.core.Future.all(tooBigBatch.transform(io.vertx.core.Future::succeededFuture), over.transform(io.vertx.core.Future::succeededFuture))
          .compose(v -> {
            testContext.verify(() -> {
              assertTrue(tooBigBatch.failed() && over.failed(), "no reply can have come from a silent server");
              assertInstanceOf(RedisUnavailableException.class, tooBigBatch.cause());
              assertInstanceOf(RedisUnavailableException.class, over.cause());
              assertTrue(!last.isComplete(), "the last command within the bound is in flight: " + last);
              double hits = dev.switchboard.shared.metrics.SwitchboardMetrics.registry(vertx)
                  .get(dev.switchboard.shared.metrics.MetricNames.TASK_BOUND_HITS)
                  .tag(dev.switchboard.shared.metrics.MetricNames.BOUND, MultiplexedRedis.IN_FLIGHT_BOUND).counter().count();
              assertEquals(2.0, hits);
            });
            return redis.close();
          });
    }).onComplete(testContext.succeedingThenComplete());
  }
}

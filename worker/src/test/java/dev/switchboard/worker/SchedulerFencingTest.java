package dev.switchboard.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.api.tasks.PeriodicTask;
import dev.switchboard.api.tasks.TaskHandle;
import dev.switchboard.api.tasks.TaskSignature;
import dev.switchboard.shared.tasks.EnqueueGuard;
import dev.switchboard.shared.tasks.MultiplexedRedis;
import dev.switchboard.shared.tasks.RedisTaskClient;
import dev.switchboard.shared.tasks.Schedule;
import dev.switchboard.shared.tasks.ScheduleStore;
import dev.switchboard.shared.tasks.TaskKeys;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("The scheduler lease is a fencing token: only the current holder's enqueue writes, each occurrence once")
class SchedulerFencingTest {

  private String namespace;
  private TaskKeys keys;
  private Redis redis;
  private RedisTaskClient client;
  private ScheduleStore store;

  @BeforeEach
  void setUp(Vertx vertx, VertxTestContext testContext) {
    namespace = TaskTesting.namespace();
    keys = new TaskKeys(namespace);
    redis = MultiplexedRedis.create(vertx, new RedisOptions().setConnectionString(TaskTesting.REDIS_URL));
    client = RedisTaskClient.create(vertx, TaskTesting.REDIS_URL, TaskTesting.settings(namespace, new JsonObject()));
    store = new ScheduleStore(vertx, redis, keys, 10);
    client.register("noop", TaskSignature.of()).onComplete(testContext.succeedingThenComplete());
  }

  @AfterEach
  void tearDown(Vertx vertx, VertxTestContext testContext) {
    client.close();
    redis.close();
    TaskTesting.deleteNamespace(vertx, namespace).onComplete(testContext.succeedingThenComplete());
  }

  private Future<TaskHandle> send(Schedule schedule, String token, Instant occurrence) {
    long at = occurrence.toEpochMilli();
    return client.apply(schedule.task(), schedule.args(), schedule.kwargs(), schedule.optionsFor(occurrence),
        EnqueueGuard.scheduleOccurrence(keys, token, schedule.name(), at,
            new JsonObject().put("at", at).put("id", schedule.taskId(occurrence))));
  }

  private static String refusal(AsyncResult<?> attempt) {
    assertTrue(attempt.failed(), "the enqueue should have been refused");
    assertTrue(attempt.cause() instanceof EnqueueGuard.Refused, String.valueOf(attempt.cause()));
    return ((EnqueueGuard.Refused) attempt.cause()).reason();
  }

  private Future<Boolean> exists(String id) {
    return redis.send(Request.cmd(Command.EXISTS).arg(keys.task(id))).map(reply -> reply.toInteger() == 1);
  }

  @Test
  @Timeout(15_000)
  @DisplayName("a deposed leader (its lease lapsed, another took it) enqueues nothing; the new one once per occurrence; a removed schedule nothing")
  void deposedLeaderCannotEnqueue(VertxTestContext testContext) {
    Schedule schedule = Schedule.of(PeriodicTask.every("fence", "1s", "noop"));
    Instant first = Instant.ofEpochSecond(Instant.now().getEpochSecond() + 5);
    Instant second = first.plusSeconds(1);
    SchedulerLease a = new SchedulerLease(redis, keys, "a", 60_000);
    SchedulerLease b = new SchedulerLease(redis, keys, "b", 60_000);
    String[] tokens = new String[2];
    store.save(schedule)
        .compose(created -> a.acquire())
        .compose(tokenA -> {
          tokens[0] = tokenA;
          return b.acquire();
        })
        .compose(none -> {
          testContext.verify(() -> assertNull(none, "the lease is taken"));
          // a's lease lapses (a paused JVM, a cut network) and b takes it
          return redis.send(Request.cmd(Command.DEL).arg(keys.schedulerLease())).compose(v -> b.acquire());
        })
        .compose(tokenB -> {
          tokens[1] = tokenB;
          testContext.verify(() -> {
            assertNotNull(tokenB);
            assertTrue(Long.parseLong(tokenB.split(" ")[0]) > Long.parseLong(tokens[0].split(" ")[0]), tokens[0] + " then " + tokenB);
          });
          return send(schedule, tokens[0], first).transform(Future::succeededFuture);
        })
        .compose(lateA -> {
          testContext.verify(() -> assertEquals("fenced", refusal(lateA)));
          return exists(schedule.taskId(first));
        })
        .compose(written -> {
          testContext.verify(() -> assertTrue(!written, "the deposed leader wrote the task"));
          return send(schedule, tokens[1], first);
        })
        .compose(sent -> {
          testContext.verify(() -> assertTrue(sent.created()));
          return send(schedule, tokens[1], first).transform(Future::succeededFuture);
        })
        .compose(again -> {
          testContext.verify(() -> assertEquals("done", refusal(again)));
          return a.renew(tokens[0]);
        })
        .compose(renewed -> {
          testContext.verify(() -> assertTrue(!renewed, "a deposed leader cannot renew"));
          return store.remove("fence");
        })
        .compose(removed -> send(schedule, tokens[1], second).transform(Future::succeededFuture))
        .compose(afterRemoval -> {
          testContext.verify(() -> assertEquals("removed", refusal(afterRemoval)));
          return Future.all(exists(schedule.taskId(first)), exists(schedule.taskId(second)));
        })
        .onComplete(testContext.succeeding(both -> testContext.verify(() -> {
          assertEquals(List.of(true, false), both.list());
          testContext.completeNow();
        })));
  }
}

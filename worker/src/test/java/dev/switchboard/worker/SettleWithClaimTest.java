package dev.switchboard.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.api.tasks.TaskOptions;
import dev.switchboard.api.tasks.TaskState;
import dev.switchboard.shared.config.TaskSettings;
import dev.switchboard.shared.tasks.MultiplexedRedis;
import dev.switchboard.shared.tasks.RedisTaskClient;
import dev.switchboard.shared.tasks.TaskKeys;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
@DisplayName("Settle with claim: outcomes of one turn are one script call, each fenced by its lease, claiming the freed slots")
class SettleWithClaimTest {

  private static final Pattern SCRIPT_CALLS = Pattern.compile("cmdstat_eval(?:sha)?:calls=(\\d+)");
  private static final Pattern PUBLISHES = Pattern.compile("cmdstat_publish:calls=(\\d+)");

  private RedisProcess server;
  private Redis redis;
  private Context context;
  private RedisTaskClient client;
  private Broker broker;

  @BeforeEach
  void start(Vertx vertx, VertxTestContext testContext, @TempDir Path dir) throws Exception {
    // a Redis of its own: its command counters see this test's calls only (no worker timers run here)
    server = new RedisProcess(dir);
    server.start();
    TaskSettings settings = TaskTesting.settings(TaskTesting.namespace(), new JsonObject());
    context = vertx.getOrCreateContext();
    Promise<Void> ready = Promise.promise();
    context.runOnContext(v -> {
      redis = MultiplexedRedis.create(vertx, new RedisOptions().setConnectionString(server.url()));
      // re-reads a minute apart: within a test, a final state reaches get() only through the notify channel
      client = RedisTaskClient.create(vertx, server.url(), TaskTesting.settings(settings.namespace(),
          new JsonObject().put("pollIntervalMs", 60_000)));
      TaskRegistry registry = TaskRegistry.shipped();
      broker = new Broker(redis, redis, new TaskKeys(settings.namespace()), settings, "worker-test", registry);
      broker.ensureGroups().compose(done -> broker.register(registry.all())).onComplete(ready);
    });
    ready.future().onComplete(testContext.succeedingThenComplete());
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    redis.close();
    server.close();
  }

  private Future<Long> scriptCalls() {
    return calls(SCRIPT_CALLS);
  }

  private Future<Long> calls(Pattern command) {
    return redis.send(Request.cmd(Command.INFO).arg("commandstats")).map(info -> {
      long calls = 0;
      Matcher matcher = command.matcher(info.toString());
      while (matcher.find()) {
        calls += Long.parseLong(matcher.group(1));
      }
      return calls;
    });
  }

  private Future<Void> enqueue(String... ids) {
    Future<?> chain = Future.succeededFuture();
    for (String id : ids) {
      chain = chain.compose(v -> client.apply("noop", new JsonArray(), null, TaskOptions.defaults().withTaskId(id)));
    }
    return chain.mapEmpty();
  }

  private static ClaimedTask withLease(ClaimedTask task, long lease) {
    return new ClaimedTask(task.id(), task.name(), task.args(), task.options(), task.retries(), task.delivery(), lease,
        task.seq(), task.stream(), task.entry());
  }

  @Test
  @Timeout(15_000)
  @DisplayName("Three outcomes of one turn: one call; SUCCESS and FAILURE recorded and sent to the client in one message, the stale lease changes nothing; it claims the waiting task")
  void oneTurnOneCall(Vertx vertx, VertxTestContext testContext) {
    List<Integer> asked = new ArrayList<>();
    List<AsyncResult<Broker.Claim>> claims = new ArrayList<>();
    Settlements settlements = new Settlements(context, broker, settles -> {
      asked.add(settles);
      return new Settlements.Slots(1, false);
    }, (slots, settles, claim) -> claims.add(claim));
    long[] before = new long[2];
    List<Future<dev.switchboard.api.tasks.TaskInfo>> finals = new ArrayList<>();
    enqueue("t1", "t2", "t3", "t4")
        .compose(v -> broker.claim(3, false))
        // loads the script (a first EVALSHA fails NOSCRIPT and is sent again), so that the count below is of calls
        .compose(claim -> broker.settle(List.of(), 0, false).map(claim))
        .compose(claim -> Future.all(scriptCalls(), calls(PUBLISHES)).compose(calls -> {
          before[0] = calls.<Long>resultAt(0);
          before[1] = calls.<Long>resultAt(1);
          finals.add(client.awaitFinal("t1", java.time.Duration.ofSeconds(10)));
          finals.add(client.awaitFinal("t3", java.time.Duration.ofSeconds(10)));
          List<ClaimedTask> tasks = claim.tasks();
          Promise<List<Future<Broker.Settled>>> turn = Promise.promise();
          context.runOnContext(v -> turn.complete(List.of(
              settlements.settle(new Broker.Settle(tasks.get(0), "SUCCESS", "null", 0)),
              // an attempt whose lease was spent meanwhile (reclaimed by another worker, say)
              settlements.settle(new Broker.Settle(withLease(tasks.get(1), tasks.get(1).lease() + 1), "SUCCESS",
                  "null", 0)),
              settlements.settle(new Broker.Settle(tasks.get(2), "FAILURE",
                  new JsonObject().put("type", "Boom").put("message", "boom").encode(), 0)))));
          return turn.future();
        }))
        .compose(settles -> Future.all(settles).compose(done -> Future.all(scriptCalls(), calls(PUBLISHES)).map(after -> {
          testContext.verify(() -> {
            assertEquals(1, after.<Long>resultAt(0) - before[0], "script calls for three settles and their claim");
            assertEquals(1, after.<Long>resultAt(1) - before[1], "PUBLISHes of two final states to one client");
            assertEquals(List.of(3), asked, "one batch of three asked for its slots");
            Broker.Settled first = settles.get(0).result();
            assertEquals("SUCCESS", first.state());
            assertTrue(first.changed());
            Broker.Settled stale = settles.get(1).result();
            assertNull(stale.state(), "stale attempt");
            assertFalse(stale.changed());
            assertEquals("FAILURE", settles.get(2).result().state());
            assertEquals(1, claims.size());
            assertEquals(List.of("t4"), claims.get(0).result().tasks().stream().map(ClaimedTask::id).toList());
          });
          return done;
        })))
        // both final states came through the one message (re-reads are a minute apart)
        .compose(v -> Future.all(finals).transform(waited -> {
          testContext.verify(() -> {
            assertTrue(waited.succeeded(), "get() of t1 and t3: " + waited.cause());
            assertEquals(TaskState.SUCCESS, finals.get(0).result().state());
            assertEquals(TaskState.FAILURE, finals.get(1).result().state());
            assertEquals("boom", finals.get(1).result().error().message());
          });
          return Future.succeededFuture();
        }))
        .compose(v -> Future.all(client.info("t1"), client.info("t2"), client.info("t3"), client.info("t4")))
        .onComplete(testContext.succeeding(infos -> testContext.verify(() -> {
          assertEquals(TaskState.SUCCESS, infos.<dev.switchboard.api.tasks.TaskInfo>resultAt(0).state());
          assertEquals(TaskState.STARTED, infos.<dev.switchboard.api.tasks.TaskInfo>resultAt(1).state(),
              "the stale settle changed nothing");
          assertEquals(TaskState.FAILURE, infos.<dev.switchboard.api.tasks.TaskInfo>resultAt(2).state());
          assertEquals(TaskState.STARTED, infos.<dev.switchboard.api.tasks.TaskInfo>resultAt(3).state());
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(15_000)
  @DisplayName("A settle's claim leaves a paused queue's task waiting; once resumed, a settle (even a stale one) claims it")
  void claimRespectsPause(Vertx vertx, VertxTestContext testContext) {
    ClaimedTask[] first = new ClaimedTask[1];
    enqueue("a", "b")
        .compose(v -> broker.claim(1, false))
        .compose(claim -> {
          first[0] = claim.tasks().get(0);
          return client.queueControl().pause("default");
        })
        .compose(v -> broker.settle(List.of(new Broker.Settle(first[0], "SUCCESS", "null", 0)), 1, false))
        .compose(paused -> {
          testContext.verify(() -> {
            assertEquals("SUCCESS", paused.settled().get(0).state());
            assertTrue(paused.claim().tasks().isEmpty(), "claimed from a paused queue: " + paused.claim().tasks());
          });
          return client.info("b").compose(info -> {
            testContext.verify(() -> assertEquals(TaskState.PENDING, info.state()));
            return client.queueControl().resume("default");
          });
        })
        // the same attempt once more: its lease is spent, so it records nothing, but its claim still runs
        .compose(v -> broker.settle(List.of(new Broker.Settle(first[0], "FAILURE", "{}", 0)), 1, false))
        .compose(resumed -> client.info("a").map(info -> {
          testContext.verify(() -> {
            assertNull(resumed.settled().get(0).state(), "a second settle of a spent lease");
            assertEquals(TaskState.SUCCESS, info.state());
            assertEquals(List.of("b"), resumed.claim().tasks().stream().map(ClaimedTask::id).toList());
          });
          return info;
        }))
        .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  @Timeout(15_000)
  @DisplayName("A claim reads the expiry from the task's own field, or from its options when it has none (workflow member, older task)")
  void expiryFromFieldOrOptions(Vertx vertx, VertxTestContext testContext) {
    TaskKeys keys = new TaskKeys(client.settings().namespace());
    long past = System.currentTimeMillis() - 1_000;
    TaskOptions inAnHour = TaskOptions.defaults().withExpires(java.time.Duration.ofHours(1));
    client.apply("noop", new JsonArray(), null, inAnHour.withTaskId("field"))
        .compose(v -> client.apply("noop", new JsonArray(), null, inAnHour.withTaskId("options")))
        // "field": only its field says it expired; "options": no field, and only its options say so
        .compose(v -> redis.send(Request.cmd(Command.HSET).arg(keys.task("field")).arg("expires").arg(past)))
        .compose(v -> redis.send(Request.cmd(Command.HGET).arg(keys.task("options")).arg("options")))
        .compose(options -> redis.send(Request.cmd(Command.HSET).arg(keys.task("options")).arg("options")
            .arg(new JsonObject(options.toString()).put("expires", past).encode())))
        .compose(v -> redis.send(Request.cmd(Command.HDEL).arg(keys.task("options")).arg("expires")))
        .compose(v -> broker.claim(2, false))
        .onComplete(testContext.succeeding(claim -> testContext.verify(() -> {
          assertTrue(claim.tasks().isEmpty(), "claimed an expired task: " + claim.tasks());
          assertEquals(List.of("field:REVOKED", "options:REVOKED"), claim.events().stream()
              .map(event -> event.getString("id") + ":" + event.getString("state")).sorted().toList());
          testContext.completeNow();
        })));
  }
}

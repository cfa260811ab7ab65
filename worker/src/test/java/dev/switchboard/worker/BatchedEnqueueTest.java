package dev.switchboard.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.api.tasks.TaskException;
import dev.switchboard.api.tasks.TaskHandle;
import dev.switchboard.api.tasks.TaskOptions;
import dev.switchboard.shared.config.TaskSettings;
import dev.switchboard.shared.tasks.RedisTaskClient;
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
import io.vertx.redis.client.Request;
import java.nio.file.Path;
import java.time.Duration;
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
@DisplayName("Batched enqueue: the enqueues of one event-loop turn are one script call, each caller with its own outcome")
class BatchedEnqueueTest {

  private static final Pattern SCRIPT_CALLS = Pattern.compile("cmdstat_eval(?:sha)?:calls=(\\d+)");

  private RedisProcess server;
  private Redis redis;
  private TaskSettings settings;

  @BeforeEach
  void start(Vertx vertx, @TempDir Path dir) throws Exception {
    // a Redis of its own: its command counters see this test's calls only
    server = new RedisProcess(dir);
    server.start();
    redis = Redis.createClient(vertx, server.url());
    // room for three waiting tasks in a stream
    settings = TaskTesting.settings(TaskTesting.namespace(), new JsonObject().put("maxQueueLength", 3));
  }

  @AfterEach
  void stop() throws Exception {
    redis.close();
    server.close();
  }

  private Future<Long> scriptCalls() {
    return redis.send(Request.cmd(Command.INFO).arg("commandstats")).map(info -> {
      long calls = 0;
      Matcher matcher = SCRIPT_CALLS.matcher(info.toString());
      while (matcher.find()) {
        calls += Long.parseLong(matcher.group(1));
      }
      return calls;
    });
  }

  private static TaskOptions id(String taskId) {
    return TaskOptions.defaults().withTaskId(taskId);
  }

  @Test
  @Timeout(15_000)
  @DisplayName("Six enqueues in one turn: created, existing, created, full (mid-batch), delayed, existing; one script call")
  void oneTurnOneScriptCall(Vertx vertx, VertxTestContext testContext) {
    Context context = vertx.getOrCreateContext();
    Promise<RedisTaskClient> created = Promise.promise();
    // the client lives on this context, so that calls made in one of its turns are one turn for the batch too
    context.runOnContext(v -> created.complete(RedisTaskClient.create(vertx, server.url(), settings)));
    long[] before = new long[1];
    created.future()
        .compose(client -> client.register("noop", TaskRegistry.shipped().find("noop").orElseThrow().signature())
            // warms the client (subscription, signature, queue check): afterwards a call reaches the batch at once
            .compose(v -> client.apply("noop", new JsonArray(), null, id("warm")))
            .compose(v -> scriptCalls())
            .compose(calls -> {
              before[0] = calls;
              Promise<List<Future<TaskHandle>>> turn = Promise.promise();
              context.runOnContext(v -> turn.complete(List.of(
                  client.apply("noop", new JsonArray(), null, id("a")),
                  client.apply("noop", new JsonArray(), null, id("warm")),
                  client.apply("noop", new JsonArray(), null, id("c")),
                  client.apply("noop", new JsonArray(), null, id("d")),
                  client.apply("noop", new JsonArray(), null, id("e").withCountdown(Duration.ofHours(1))),
                  client.apply("noop", new JsonArray(), null, id("a")))));
              return turn.future();
            })
            .compose(calls -> Future.join(calls).transform(done -> scriptCalls().map(after -> {
              testContext.verify(() -> {
                assertEquals(1, after - before[0], "script calls for the six enqueues");
                assertTrue(calls.get(0).result().created(), "a: created");
                assertFalse(calls.get(1).result().created(), "warm: existed already");
                assertTrue(calls.get(2).result().created(), "c: created, the stream's third task");
                TaskException full = assertInstanceOf(TaskException.class, calls.get(3).cause(), "d: refused");
                assertEquals(TaskException.Reason.QUEUE_FULL, full.reason());
                assertTrue(full.getMessage().contains("is full (3 tasks)"), full.getMessage());
                assertTrue(calls.get(4).result().created(), "e: created in the delayed set, which has room");
                assertFalse(calls.get(5).result().created(), "a again: created by the same batch already");
              });
              return client;
            })))
            .compose(v -> Future.all(client.info("d").transform(info -> Future.succeededFuture(info.failed())),
                client.info("e").map(info -> info.state().name()),
                redis.send(Request.cmd(Command.LRANGE).arg(client.keys().recent()).arg(0).arg(-1)).map(Object::toString),
                redis.send(Request.cmd(Command.HGET).arg(client.keys().stats()).arg("enqueued:default"))
                    .map(Object::toString)))
            .eventually(() -> {
              client.close();
              return Future.succeededFuture();
            }))
        .onComplete(testContext.succeeding(infos -> testContext.verify(() -> {
          assertTrue((Boolean) infos.resultAt(0), "the refused task was not written");
          assertEquals("PENDING", infos.resultAt(1));
          assertEquals("[e, c, a, warm]", infos.resultAt(2), "recent tasks, newest first");
          assertEquals("4", infos.resultAt(3), "enqueued count of the queue");
          testContext.completeNow();
        })));
  }
}

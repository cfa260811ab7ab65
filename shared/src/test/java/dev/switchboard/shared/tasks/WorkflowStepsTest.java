package dev.switchboard.shared.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.switchboard.api.tasks.TaskSignature;
import dev.switchboard.api.tasks.TaskSignature.Type;
import dev.switchboard.api.workflows.Signature;
import dev.switchboard.api.workflows.Workflow;
import dev.switchboard.shared.config.TaskSettings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The workflow scripts alone, on real Redis and with no worker: members are reported finished by hand. */
@ExtendWith(VertxExtension.class)
@DisplayName("Workflow steps in Redis (workflow_steps.lua)")
class WorkflowStepsTest {

  private static final String REDIS_URL = System.getenv().getOrDefault("SWITCHBOARD_TEST_REDIS_URL", "redis://127.0.0.1:6379");
  private static final LuaScript MEMBER_DONE = LuaScript.load(WorkflowStepsTest.class, "member_done.lua", LuaScript.NEW_TASK, LuaScript.WORKFLOW_STEPS);

  private final String namespace = "test-" + UUID.randomUUID().toString().substring(0, 8);
  private RedisTaskClient client;
  private Redis redis;

  @BeforeEach
  void setUp(Vertx vertx, VertxTestContext testContext) {
    client = RedisTaskClient.create(vertx, REDIS_URL, TaskSettings.fromJson(new JsonObject()
        .put("tasks", new JsonObject().put("namespace", namespace))));
    redis = Redis.createClient(vertx, REDIS_URL);
    TaskSignature two = TaskSignature.of(TaskSignature.param("x", Type.NUMBER), TaskSignature.param("y", Type.NUMBER));
    client.register("add", two)
        .compose(v -> client.register("xsum", TaskSignature.of(TaskSignature.param("numbers", Type.ARRAY))))
        .onComplete(testContext.succeedingThenComplete());
  }

  @AfterEach
  void tearDown(VertxTestContext testContext) {
    client.close();
    redis.send(Request.cmd(Command.EVAL)
            .arg("for _, k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', k) end return 1")
            .arg(0).arg("switchboard:" + namespace + ":*"))
        .eventually(() -> redis.close())
        .onComplete(testContext.succeedingThenComplete());
  }

  private Future<Void> report(String memberId, String result) {
    return MEMBER_DONE.run(redis, List.of(client.keys().task(memberId)),
        List.of(memberId, result, System.currentTimeMillis(), 60_000)).mapEmpty();
  }

  private Future<String> field(String key, String field) {
    return redis.send(Request.cmd(Command.HGET).arg(key).arg(field)).map(reply -> reply == null ? null : reply.toString());
  }

  @Test
  @Timeout(10_000)
  @DisplayName("a header member reported twice counts once: the body is created only when every member is in, with "
      + "their results in order, and only once")
  void memberCountsOnce(Vertx vertx, VertxTestContext testContext) {
    // nodes: 1 chord (chain), 2 header group, 3 add(1, 1), 4 add(2, 2), 5 xsum
    client.workflows().submit(Workflow.chord(List.of(Signature.of("add", 1, 1), Signature.of("add", 2, 2)), Signature.of("xsum")))
        .compose(id -> {
          String first = id + ".3";
          String body = client.keys().task(id + ".5");
          return report(first, "2")
              .compose(v -> report(first, "2"))
              .compose(v -> field(body, "state"))
              .map(state -> {
                testContext.verify(() -> assertNull(state, "a twice-reported member must not complete the header"));
                return state;
              })
              .compose(v -> report(id + ".4", "4"))
              .compose(v -> report(id + ".4", "4"))
              .compose(v -> Future.all(field(body, "args"), field(body, "state"),
                  field(new WorkflowKeys(client.keys()).workflow(id), "n:2")));
        })
        .onComplete(testContext.succeeding(all -> testContext.verify(() -> {
          assertEquals("[[2,4]]", all.resultAt(0));
          assertEquals("PENDING", all.resultAt(1));
          assertEquals("2", all.resultAt(2), "each member counted once");
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(10_000)
  @DisplayName("a later step its queue has no room for fails the workflow, naming the step, and is not queued past "
      + "the bound")
  void laterStepHeldToTheBound(Vertx vertx, VertxTestContext testContext) {
    // a client of the same namespace whose queues hold one task: the chain's first step fills the queue
    RedisTaskClient small = RedisTaskClient.create(vertx, REDIS_URL, TaskSettings.fromJson(new JsonObject()
        .put("tasks", new JsonObject().put("namespace", namespace).put("maxQueueLength", 1))));
    // nodes: 1 chain, 2 add(1, 1), 3 add(2) with the result first
    small.workflows().submit(Workflow.chain(Signature.of("add", 1, 1), Signature.of("add", 2)))
        .compose(id -> report(id + ".2", "2")
            .compose(v -> {
              String workflow = new WorkflowKeys(client.keys()).workflow(id);
              return Future.all(field(workflow, "state"), field(workflow, "error"),
                  field(client.keys().task(id + ".3"), "state"), Future.succeededFuture(id));
            }))
        .eventually(() -> {
          small.close();
          return Future.succeededFuture();
        })
        .onComplete(testContext.succeeding(all -> testContext.verify(() -> {
          String id = all.resultAt(3);
          assertEquals("FAILURE", all.resultAt(0));
          JsonObject error = new JsonObject((String) all.resultAt(1));
          assertEquals("task add[" + id + ".3] not queued: queue default is full (1 tasks)", error.getString("message"));
          assertEquals(id + ".3", error.getString("task_id"));
          assertNull(all.resultAt(2), "the step is not queued past the bound");
          testContext.completeNow();
        })));
  }
}

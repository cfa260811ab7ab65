package dev.switchboard.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.api.tasks.TaskDefinition;
import dev.switchboard.api.tasks.TaskOptions;
import dev.switchboard.api.tasks.TaskSignature;
import dev.switchboard.api.tasks.TaskState;
import dev.switchboard.interop.celery.CeleryIngestVerticle;
import dev.switchboard.interop.celery.CeleryTaskClient;
import dev.switchboard.shared.config.SwitchboardConfig;
import dev.switchboard.worker.TaskRegistry;
import dev.switchboard.worker.WorkerVerticle;
import io.vertx.core.Future;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Python Celery clients (Debian's python3-celery 5.2.6, nothing else) drive a Switchboard worker on the machine's
 * Redis: {@code clients/python/interop/celery_client.py} runs each check and fails loudly. Each test has its own
 * Celery queue and task namespace. Vert.x closes the deployments after each test.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Python Celery clients → a Switchboard worker")
class CeleryClientTest {

  private static final String REDIS = "redis://127.0.0.1:6379";
  private final String queue = "jvm-" + UUID.randomUUID().toString().substring(0, 8);

  /** Ids retry_once has seen: it asks for one retry per id. */
  private static final Set<String> RETRIED = ConcurrentHashMap.newKeySet();

  private String worker;
  private String ingest;

  @BeforeEach
  void deploy(Vertx vertx) throws Exception {
    deploy(vertx, 16);
  }

  private void deploy(Vertx vertx, int concurrency) throws Exception {
    JsonObject json = new JsonObject()
        .put("redis", new JsonObject().put("url", REDIS))
        .put("tasks", new JsonObject().put("namespace", "test-" + queue).put("schedulerIntervalMs", 20)
            .put("shutdownGraceMs", 0).put("concurrency", concurrency))
        .put("celery", new JsonObject().put("queues", queue).put("aliases", "tasks.long_running_task=long_running"));
    DeploymentOptions options = new DeploymentOptions().setConfig(SwitchboardConfig.fromJson(json).toJson());
    // retry_once: asks for one retry, then returns [retries, delivery] (counted from the Celery message's retries)
    TaskRegistry registry = TaskRegistry.shipped().register(TaskDefinition.async("retry_once", TaskSignature.of(),
        context -> RETRIED.add(context.id()) ? Future.failedFuture(context.retry(Duration.ZERO))
            : Future.succeededFuture(new JsonArray().add(context.retries()).add(context.delivery()))));
    worker = vertx.deployVerticle(new WorkerVerticle(registry), options).await(60, TimeUnit.SECONDS);
    ingest = vertx.deployVerticle(CeleryIngestVerticle.standalone(), options).await(60, TimeUnit.SECONDS);
  }

  /** The test's task keys and its Celery queue's lists and kombu binding go (its Celery metas expire with their TTL). */
  @AfterEach
  void clean(Vertx vertx) throws Exception {
    Redis redis = Redis.createClient(vertx, REDIS);
    redis.send(Request.cmd(Command.EVAL)
            .arg("for _, k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', k) end "
                + "return redis.call('DEL', ARGV[2], ARGV[3], ARGV[3] .. '\\6\\0223', ARGV[3] .. '\\6\\0226', ARGV[3] .. '\\6\\0229')")
            .arg(0).arg("switchboard:test-" + queue + ":*").arg("_kombu.binding." + queue).arg(queue))
        .eventually(redis::close).await(20, TimeUnit.SECONDS);
  }

  private String run(String... checks) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("/usr/bin/python3", "python/interop/celery_client.py",
        "--redis", REDIS, "--queue", queue));
    command.addAll(List.of(checks));
    try (ScriptRun run = ScriptRun.start(command)) {
      int exit = run.awaitExit(120);
      assertEquals(0, exit, run.output());
      assertTrue(run.output().contains("all checks passed"), run.output());
      return run.output();
    }
  }

  @Test
  @DisplayName("add.delay(2, 3).get() prints 5")
  void add() throws Exception {
    assertTrue(run("add").lines().anyMatch("5"::equals));
  }

  @Test
  @DisplayName("the seed's long_running_task.delay(3): ready() is False, PROGRESS is readable, get() is 'Task finished!'")
  void seed() throws Exception {
    assertTrue(run("seed").contains("progress {'current':"));
  }

  @Test
  @DisplayName("a JVM exception raises in Python with its class name and message")
  void failure() throws Exception {
    assertTrue(run("failure").contains("raised IllegalArgumentException"));
  }

  @Test
  @DisplayName("an unknown task, or a pickled one, ends FAILURE with a message that says why")
  void refused() throws Exception {
    String output = run("unknown", "pickle");
    assertTrue(output.contains("raised NotRegistered"), output);
    assertTrue(output.contains("raised ContentDisallowed"), output);
  }

  @Test
  @DisplayName("a chain or a chord from Python ends FAILURE NotImplementedError naming it, on the result Python holds")
  void canvas() throws Exception {
    String output = run("chain", "chord");
    assertTrue(output.contains("raised NotImplementedError canvas 'chain'"), output);
    assertTrue(output.contains("raised NotImplementedError canvas 'chord'"), output);
  }

  @Test
  @DisplayName("a compressed message (compression='zlib') ends FAILURE ContentDisallowed saying so")
  void compressed() throws Exception {
    assertTrue(run("compressed").contains("raised ContentDisallowed compressed task messages"));
  }

  @Test
  @DisplayName("app.control.revoke(id) from Python revokes a countdown task durably")
  void revoke() throws Exception {
    assertTrue(run("revoke").contains("revoked"));
  }

  @Test
  @DisplayName("countdown=2: the task is done no earlier than its eta")
  void countdown() throws Exception {
    assertTrue(run("countdown").contains("countdown done"));
  }

  @Test
  @DisplayName("an expires already past: REVOKED, and get() raises TaskRevokedError('expired') as from a Celery worker")
  void expired() throws Exception {
    assertTrue(run("expired").contains("raised TaskRevokedError expired"));
  }

  @Test
  @DisplayName("priority 0 is Celery's highest on Redis: queued after a priority-9 task, it still runs first")
  void priority(Vertx vertx) throws Exception {
    // no worker while Python queues both: then one worker that runs one task at a time
    vertx.undeploy(ingest).await(30, TimeUnit.SECONDS);
    vertx.undeploy(worker).await(30, TimeUnit.SECONDS);
    List<String> command = List.of("/usr/bin/python3", "python/interop/celery_client.py", "--redis", REDIS,
        "--queue", queue, "priority");
    try (ScriptRun run = ScriptRun.start(command)) {
      run.awaitLine("queued", 60);
      deploy(vertx, 1);
      assertEquals(0, run.awaitExit(120), run.output());
      assertTrue(run.output().contains("all checks passed"), run.output());
    }
  }

  @Test
  @DisplayName("time_limit=1 on a longer task: FAILURE, and get() raises Celery's TimeLimitExceeded")
  void timeLimit() throws Exception {
    assertTrue(run("timelimit").contains("raised TimeLimitExceeded"));
  }

  @Test
  @DisplayName("the retries count of a Celery message is carried: a third attempt that retries once ends with retries 3, delivery 4")
  void retries() throws Exception {
    assertTrue(run("retries").contains("retries [3, 4]"));
  }

  @Test
  @DisplayName("a revoke from Python that arrives before its task's message: the task, sent later, ends REVOKED without running")
  void revokedBeforeArrival(Vertx vertx) throws Exception {
    String id = UUID.randomUUID().toString();
    run("--id", id, "revoke_id");
    Redis redis = Redis.createClient(vertx, REDIS);
    try {
      String prefix = "switchboard:test-" + queue + ":tasks:";
      // the worker has remembered the revoke: only now is the task sent
      Eventually.eventually(vertx, 20_000, () -> redis.send(Request.cmd(Command.ZSCORE).arg(prefix + "celery:revoked").arg(id))
          .map(score -> score != null)).await(30, TimeUnit.SECONDS);
      assertTrue(run("--id", id, "send_revoked").contains("raised TaskRevokedError revoked"));
      assertEquals("REVOKED", redis.send(Request.cmd(Command.HGET).arg(prefix + "task:" + id).arg("state"))
          .await(10, TimeUnit.SECONDS).toString());
      assertNull(redis.send(Request.cmd(Command.HGET).arg(prefix + "task:" + id).arg("t_STARTED")).await(10, TimeUnit.SECONDS));
    } finally {
      redis.close();
    }
  }

  @Test
  @DisplayName("a task handed back by a stopping worker after STARTED reads PENDING again in Celery's backend")
  void handedBackIsPending(Vertx vertx) throws Exception {
    CeleryTaskClient celery = new CeleryTaskClient(vertx, REDIS, queue);
    Redis redis = Redis.createClient(vertx, REDIS);
    try {
      String id = celery.apply("tasks.long_running_task", new JsonArray().add(60), new JsonObject(), TaskOptions.defaults())
          .await(10, TimeUnit.SECONDS).id();
      Eventually.eventually(vertx, 30_000, () -> celery.info(id).map(info -> info.state() == TaskState.STARTED
          || info.state() == TaskState.PROGRESS)).await(40, TimeUnit.SECONDS);
      vertx.undeploy(worker).await(30, TimeUnit.SECONDS); // shutdownGraceMs 0: the running task is handed back
      assertEquals(TaskState.PENDING, celery.info(id).await(10, TimeUnit.SECONDS).state());
      assertNull(redis.send(Request.cmd(Command.GET).arg("celery-task-meta-" + id)).await(10, TimeUnit.SECONDS));
    } finally {
      celery.close();
      redis.close();
    }
  }
}

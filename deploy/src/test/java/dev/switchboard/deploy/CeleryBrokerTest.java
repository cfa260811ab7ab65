package dev.switchboard.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.api.tasks.TaskInfo;
import dev.switchboard.api.tasks.TaskOptions;
import dev.switchboard.api.tasks.TaskState;
import dev.switchboard.interop.celery.CeleryIngestVerticle;
import dev.switchboard.interop.celery.CeleryTaskClient;
import dev.switchboard.shared.config.SwitchboardConfig;
import dev.switchboard.shared.tasks.TaskKeys;
import dev.switchboard.worker.WorkerVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code celery.brokerUrl} names another Redis than Switchboard's: the Celery broker and backend are a redis-server
 * this test starts on a free port, Switchboard's tasks live on the machine's Redis (own namespace).
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Python Celery on its own Redis → a Switchboard worker on another Redis")
class CeleryBrokerTest {

  private static final String SWITCHBOARD_REDIS = "redis://127.0.0.1:6379";
  private final String queue = "jvm-broker-" + UUID.randomUUID().toString().substring(0, 8);
  private final String namespace = "test-" + queue;
  private EmbeddedRedis celeryRedis;
  private String celeryUrl;

  @BeforeEach
  void startCeleryRedis() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    celeryRedis = EmbeddedRedis.start(port, List.of("save \"\""));
    celeryUrl = "redis://127.0.0.1:" + port;
  }

  @AfterEach
  void stopCeleryRedis(Vertx vertx) throws Exception {
    Redis redis = Redis.createClient(vertx, SWITCHBOARD_REDIS);
    redis.send(Request.cmd(Command.EVAL)
            .arg("for _, k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', k) end return 1")
            .arg(0).arg("switchboard:" + namespace + ":*"))
        .eventually(redis::close).await(20, TimeUnit.SECONDS);
    celeryRedis.close();
  }

  private void deploy(Vertx vertx) throws Exception {
    JsonObject json = new JsonObject()
        .put("redis", new JsonObject().put("url", SWITCHBOARD_REDIS))
        .put("tasks", new JsonObject().put("namespace", namespace).put("schedulerIntervalMs", 20)
            .put("visibilityTimeoutMs", 1000))
        .put("celery", new JsonObject().put("queues", queue).put("brokerUrl", celeryUrl)
            .put("aliases", "tasks.long_running_task=long_running"));
    DeploymentOptions options = new DeploymentOptions().setConfig(SwitchboardConfig.fromJson(json).toJson());
    vertx.deployVerticle(new WorkerVerticle(), options)
        .compose(v -> vertx.deployVerticle(CeleryIngestVerticle.standalone(), options))
        .await(60, TimeUnit.SECONDS);
  }

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  @DisplayName("add, the seed's long_running_task, a JVM failure and a revoke work from Python as on one Redis")
  void pythonChecks(Vertx vertx) throws Exception {
    deploy(vertx);
    try (ScriptRun run = ScriptRun.start(List.of("/usr/bin/python3", "python/interop/celery_client.py",
        "--redis", celeryUrl, "--queue", queue, "add", "seed", "failure", "revoke"))) {
      assertEquals(0, run.awaitExit(150), run.output());
      assertTrue(run.output().contains("all checks passed"), run.output());
    }
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  @DisplayName("an envelope left twice on the ingesting list by a crash runs once after a start, and leaves the list")
  void recoveredOnceAtStart(Vertx vertx) throws Exception {
    CeleryTaskClient celery = new CeleryTaskClient(vertx, celeryUrl, "staging-" + queue);
    Redis broker = Redis.createClient(vertx, celeryUrl);
    Redis switchboard = Redis.createClient(vertx, SWITCHBOARD_REDIS);
    String ingesting = new TaskKeys(namespace).prefix() + "celery:ingesting:" + queue;
    try {
      // a worker took the envelope, then crashed; another took it again (a copy), and crashed too
      String id = celery.apply("add", new JsonArray().add(2).add(3), new JsonObject(), TaskOptions.defaults())
          .await(10, TimeUnit.SECONDS).id();
      Response envelope = broker.send(Request.cmd(Command.LMOVE).arg("staging-" + queue).arg(ingesting)
          .arg("RIGHT").arg("LEFT")).await(10, TimeUnit.SECONDS);
      broker.send(Request.cmd(Command.LPUSH).arg(ingesting).arg(envelope.toString())).await(10, TimeUnit.SECONDS);

      deploy(vertx);
      TaskInfo done = celery.awaitFinal(id, Duration.ofSeconds(60)).await(70, TimeUnit.SECONDS);
      assertEquals(TaskState.SUCCESS, done.state());
      assertEquals(5, ((Number) done.result()).intValue());
      Eventually.eventually(vertx, 30_000, () -> broker.send(Request.cmd(Command.LLEN).arg(ingesting))
          .map(length -> length.toLong() == 0)).await(40, TimeUnit.SECONDS);
      Response deliveries = switchboard.send(Request.cmd(Command.HGET).arg(new TaskKeys(namespace).task(id))
          .arg("deliveries")).await(10, TimeUnit.SECONDS);
      assertEquals(1, deliveries.toInteger(), "the task ran once");
      // its metas went to the Celery Redis only
      assertNull(switchboard.send(Request.cmd(Command.GET).arg("celery-task-meta-" + id)).await(10, TimeUnit.SECONDS));
    } finally {
      celery.close();
      broker.close();
      switchboard.close();
    }
  }
}

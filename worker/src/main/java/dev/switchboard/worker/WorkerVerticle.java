package dev.switchboard.worker;

import dev.switchboard.shared.apps.AppCatalog;
import dev.switchboard.shared.config.ConfigException;
import dev.switchboard.shared.config.SwitchboardConfig;
import dev.switchboard.shared.protocol.Addresses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code worker} role: runs the task runtime ({@link TaskWorker}) on the Redis broker and reports its health
 * (a live {@code PING}, tasks completed) to this node's {@code /health}. Undeploying it stops the runtime
 * gracefully: in-flight tasks finish or are handed back.
 */
public class WorkerVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(WorkerVerticle.class);

  private final TaskRegistry registry;
  private Redis redis;
  private RedisAPI api;
  private TaskWorker worker;
  private SwitchboardConfig config;

  /** Runs the tasks of the apps on this class path (ServiceLoader): the built-in ones and any other listed. */
  public WorkerVerticle() {
    this(TaskRegistry.of(AppCatalog.discover(WorkerVerticle.class.getClassLoader())));
  }

  public WorkerVerticle(TaskRegistry registry) {
    this.registry = registry;
  }

  @Override
  public Future<?> start() {
    config = SwitchboardConfig.fromJson(config());
    String url = config.redisUrl().orElseThrow(() -> new ConfigException("redis.url: the worker needs a Redis URL"));
    redis = Redis.createClient(vertx, new RedisOptions().setConnectionString(url).setMaxPoolSize(2).setMaxPoolWaiting(64)
        .setPoolName("switchboard-worker-health"));
    api = RedisAPI.api(redis);
    worker = new TaskWorker(registry, config.tasks(), url);
    return api.ping(List.of())
        .recover(err -> Future.failedFuture("Redis at " + url + " is not reachable: " + err.getMessage()))
        .compose(pong -> vertx.deployVerticle(worker))
        .compose(id -> vertx.eventBus()
            .<JsonObject>localConsumer(Addresses.localHealth("worker"), msg -> health().onComplete(
                status -> msg.reply(status.result())))
            .completion())
        .onSuccess(v -> log.info("worker connected to Redis at {}", url));
  }

  @Override
  public Future<?> stop() {
    redis.close();
    return Future.succeededFuture();
  }

  private Future<JsonObject> health() {
    return api.ping(List.of())
        .map(pong -> new JsonObject().put("status", "UP").put("redis", "UP").put("worker", worker.name())
            .put("tasksCompleted", worker.completed()).put("busy", worker.busy())
            .put("concurrency", config.tasks().concurrency()).put("queues", new JsonArray(config.tasks().queues())))
        .otherwise(err -> new JsonObject().put("status", "DOWN").put("redis", "DOWN: " + err.getMessage()));
  }
}

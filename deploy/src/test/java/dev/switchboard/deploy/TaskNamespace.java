package dev.switchboard.deploy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import dev.switchboard.shared.config.TaskSettings;
import dev.switchboard.shared.tasks.RedisTaskClient;
import io.vertx.core.json.JsonObject;

/**
 * A test's own task namespace on the shared Redis (so that other tests' queues and workers never disturb it), the
 * worker JVMs it starts from the built jar, and the clean-up of its keys.
 */
final class TaskNamespace {

  static final String REDIS_URL = System.getenv().getOrDefault("SWITCHBOARD_TEST_REDIS_URL", "redis://127.0.0.1:6379");
  static final Path JAR = Path.of("target", "switchboard.jar");

  private final String name = "test-" + UUID.randomUUID().toString().substring(0, 8);
  private final List<Process> workers = new ArrayList<>();

  String name() {
    return name;
  }

  /** A {@code worker} JVM from the jar on this namespace (visibility timeout 2 s, concurrency 8), output to a temp file. */
  Process startWorker(String label) throws IOException {
    File log = Files.createTempFile("switchboard-" + label + "-", ".log").toFile();
    ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:TieredStopAtLevel=1", "-jar", JAR.toString(), "worker")
        .redirectErrorStream(true).redirectOutput(log);
    Map<String, String> env = builder.environment();
    env.put("SWITCHBOARD_REDIS_URL", REDIS_URL);
    env.put("SWITCHBOARD_TASKS_NAMESPACE", name);
    env.put("SWITCHBOARD_TASKS_VISIBILITY_TIMEOUT_MS", "2000");
    env.put("SWITCHBOARD_HTTP_PORT", "0");
    env.put("SWITCHBOARD_WORKER_CONCURRENCY", "8");
    Process process = ParentWatchdog.startGuarded(builder);
    workers.add(process);
    return process;
  }

  /** A task client on this namespace that polls results every 100 ms. */
  RedisTaskClient client(Vertx vertx) {
    return RedisTaskClient.create(vertx, REDIS_URL, TaskSettings.fromJson(new JsonObject()
        .put("tasks", new JsonObject().put("namespace", name).put("pollIntervalMs", 100))));
  }

  /** Kills every worker this namespace started, then deletes its keys. */
  Future<Void> close(Vertx vertx) {
    workers.forEach(Process::destroyForcibly);
    return drop(vertx);
  }

  /** Deletes every key of this namespace. */
  Future<Void> drop(Vertx vertx) {
    Redis redis = Redis.createClient(vertx, REDIS_URL);
    return redis.send(Request.cmd(Command.EVAL)
            .arg("for _, k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', k) end return 1")
            .arg(0).arg("switchboard:" + name + ":*"))
        .<Void>mapEmpty()
        .eventually(() -> {
          redis.close();
          return Future.succeededFuture();
        });
  }
}

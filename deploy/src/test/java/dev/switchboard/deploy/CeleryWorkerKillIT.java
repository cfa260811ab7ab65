package dev.switchboard.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.switchboard.shared.tasks.TaskKeys;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A Python Celery producer (Debian's python3-celery) sends 1,000 tasks to two Switchboard worker JVMs from the jar;
 * one is killed with -9 while they work: every task completes and Python reads each result.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Python Celery → two worker JVMs, one killed -9: all 1,000 tasks complete, every result readable from Python")
class CeleryWorkerKillIT {

  private static final String REDIS_URL = "redis://127.0.0.1:6379";
  private static final Path JAR = Path.of("target", "switchboard.jar");

  private final List<Process> workers = new ArrayList<>();
  private final String queue = "jvm-kill-" + UUID.randomUUID().toString().substring(0, 8);

  @AfterEach
  void stop() throws InterruptedException {
    for (Process worker : workers) {
      worker.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  private Process startWorker(String name) throws IOException {
    File log = Files.createTempFile("switchboard-" + name + "-", ".log").toFile();
    ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:TieredStopAtLevel=1", "-jar", JAR.toString(), "worker")
        .redirectErrorStream(true).redirectOutput(log);
    Map<String, String> env = builder.environment();
    env.put("SWITCHBOARD_REDIS_URL", REDIS_URL);
    env.put("SWITCHBOARD_TASKS_NAMESPACE", "test-" + queue);
    env.put("SWITCHBOARD_TASKS_VISIBILITY_TIMEOUT_MS", "2000");
    env.put("SWITCHBOARD_CELERY_QUEUES", queue);
    env.put("SWITCHBOARD_CELERY_ALIASES", "tasks.long_running_task=long_running");
    env.put("SWITCHBOARD_HTTP_PORT", "0");
    env.put("SWITCHBOARD_TCP_ECHO_PORT", "0");
    env.put("SWITCHBOARD_WORKER_CONCURRENCY", "8");
    Process process = ParentWatchdog.startGuarded(builder);
    workers.add(process);
    return process;
  }

  @Test
  @DisplayName("kill -9 of one of two workers mid-run: the Python producer reads all 1,000 results")
  void everyTaskCompletes(Vertx vertx) throws Exception {
    assertTrue(Files.isRegularFile(JAR), "build the jar first: " + JAR.toAbsolutePath());
    Process doomed = startWorker("celery-a");
    startWorker("celery-b");
    List<String> longIds;
    try (ScriptRun producer = ScriptRun.start(List.of("/usr/bin/python3", "python/interop/celery_client.py",
        "--redis", REDIS_URL, "--queue", queue, "bulk"))) {
      producer.awaitLine("got 100", 180);
      doomed.destroyForcibly();
      assertTrue(doomed.waitFor(10, TimeUnit.SECONDS));
      producer.awaitLine("got all 1000", 420);
      assertEquals(0, producer.awaitExit(30), producer.output());
      longIds = producer.output().lines().filter(line -> line.startsWith("long ids "))
          .flatMap(line -> Arrays.stream(line.substring("long ids ".length()).trim().split(" "))).toList();
    }
    // the kill hit running tasks: some of the 15 s tasks ran again on the surviving worker
    Redis redis = Redis.createClient(vertx, REDIS_URL);
    TaskKeys keys = new TaskKeys("test-" + queue);
    int rerun = 0;
    for (String id : longIds) {
      Response deliveries = redis.send(Request.cmd(Command.HGET).arg(keys.task(id)).arg("deliveries"))
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      rerun += deliveries != null && deliveries.toInteger() > 1 ? 1 : 0;
    }
    redis.send(Request.cmd(Command.EVAL)
            .arg("for _, k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', k) end return 1")
            .arg(0).arg("switchboard:test-" + queue + ":*")).eventually(redis::close).await(20, TimeUnit.SECONDS);
    assertEquals(12, longIds.size(), "the producer names its 12 long tasks");
    assertTrue(rerun > 0, "no long task was running on the killed worker");
  }
}

package dev.switchboard.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.api.tasks.PeriodicTask;
import dev.switchboard.shared.tasks.MultiplexedRedis;
import dev.switchboard.shared.tasks.Schedule;
import dev.switchboard.shared.tasks.ScheduleStore;
import dev.switchboard.shared.tasks.TaskKeys;
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
import io.vertx.redis.client.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("Periodic tasks across worker JVMs: one scheduler acts, and a leader killed -9 costs no occurrence and doubles none")
class BeatKillIT {

  private static final String REDIS_URL = System.getenv().getOrDefault("SWITCHBOARD_TEST_REDIS_URL", "redis://127.0.0.1:6379");
  private static final int WORKERS = 3;
  private static final int TICK_MS = 1000;

  private final List<SwitchboardProcess> workers = new ArrayList<>();
  private String namespace;
  private TaskKeys keys;
  private Redis redis;
  private ScheduleStore store;

  @BeforeEach
  void setUp(Vertx vertx) {
    assertTrue(Files.isRegularFile(Path.of("target", "switchboard.jar")), "build the jar first (mvn package)");
    namespace = "test-" + UUID.randomUUID().toString().substring(0, 8);
    keys = new TaskKeys(namespace);
    redis = MultiplexedRedis.create(vertx, new RedisOptions().setConnectionString(REDIS_URL));
    store = new ScheduleStore(vertx, redis, keys, 10);
  }

  @AfterEach
  void tearDown(Vertx vertx, VertxTestContext testContext) throws Exception {
    for (SwitchboardProcess worker : workers) {
      worker.close();
    }
    redis.send(Request.cmd(Command.EVAL)
            .arg("for _, k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', k) end return 1")
            .arg(0).arg("switchboard:" + namespace + ":*"))
        .eventually(redis::close)
        .onComplete(testContext.succeedingThenComplete());
  }

  private Future<Void> startWorkers(Vertx vertx) {
    return vertx.executeBlocking(() -> {
      Map<String, String> env = Map.of("SWITCHBOARD_REDIS_URL", REDIS_URL, "SWITCHBOARD_TASKS_NAMESPACE", namespace,
          "SWITCHBOARD_TASKS_VISIBILITY_TIMEOUT_MS", "2000", "SWITCHBOARD_SCHEDULES_TICK_MS", String.valueOf(TICK_MS),
          // this worker needs no database; without a URL the helper would start an embedded one
          "SWITCHBOARD_PG_URL", "unused");
      for (int i = 0; i < WORKERS; i++) {
        workers.add(SwitchboardProcess.start("beat-worker-" + i, env, "worker"));
      }
      for (SwitchboardProcess worker : workers) {
        worker.awaitReady();
      }
      return null;
    });
  }

  /** The pid in the lease value {@code "<token> worker-<pid>-<random>"}, or 0 when nobody leads. */
  private Future<Long> leaderPid() {
    return redis.send(Request.cmd(Command.GET).arg(keys.schedulerLease()))
        .map(lease -> lease == null ? 0L : Long.parseLong(lease.toString().split(" ")[1].split("-")[1]));
  }

  /** The last occurrence the schedulers recorded for {@code name} (epoch ms). */
  private Future<Long> lastOccurrence(String name) {
    return redis.send(Request.cmd(Command.HGET).arg(keys.scheduleRuns()).arg(name))
        .map(run -> new JsonObject(run.toString()).getLong("at"));
  }

  private Future<List<String>> recentIds() {
    return redis.send(Request.cmd(Command.LRANGE).arg(keys.recent()).arg(0).arg(-1))
        .map(reply -> {
          List<String> ids = new ArrayList<>();
          reply.forEach(id -> ids.add(id.toString()));
          return ids;
        });
  }

  private Future<Boolean> allSucceeded(List<String> ids) {
    List<Future<Response>> states = ids.stream()
        .map(id -> redis.send(Request.cmd(Command.HGET).arg(keys.task(id)).arg("state"))).toList();
    return Future.all(states).map(all -> states.stream().allMatch(state -> state.result() != null
        && "SUCCESS".equals(state.result().toString())));
  }

  private Future<Long> stat(String field) {
    return redis.send(Request.cmd(Command.HGET).arg(keys.stats()).arg(field))
        .map(value -> value == null ? 0L : Long.parseLong(value.toString()));
  }

  @Test
  @Timeout(240_000)
  @DisplayName("3 worker JVMs, an every-1s schedule: 20 s give exactly 20 runs, one per tick, also after the leader is killed -9")
  void leaderKilled(Vertx vertx, VertxTestContext testContext) {
    Schedule schedule = Schedule.of(PeriodicTask.every("beat-" + UUID.randomUUID().toString().substring(0, 8), "1s", "noop"));
    long[] first = new long[1];
    long[] killed = new long[3];  // killed pid, kill time, takeover time
    startWorkers(vertx)
        .compose(v -> Eventually.eventually(vertx, 30_000, () -> leaderPid().map(pid -> pid != 0)))
        .compose(v -> store.save(schedule))
        .compose(created -> lastOccurrence(schedule.name()))
        .compose(createdAt -> {
          // the first occurrence is the first whole second after the schedule was created
          first[0] = (createdAt / 1000 + 1) * 1000;
          return Eventually.eventually(vertx, 60_000, () -> lastOccurrence(schedule.name()).map(at -> at >= first[0] + 4_000));
        })
        .compose(v -> leaderPid())
        .compose(pid -> vertx.executeBlocking(() -> {
          SwitchboardProcess leader = workers.stream().filter(worker -> worker.handle().pid() == pid).findFirst()
              .orElseThrow(() -> new AssertionError("no worker JVM has the leader's pid " + pid));
          killed[0] = pid;
          killed[1] = System.currentTimeMillis();
          leader.kill();
          return null;
        }))
        .compose(v -> Eventually.eventually(vertx, 30_000, () -> leaderPid().map(pid -> pid != 0 && pid != killed[0])))
        .compose(v -> {
          killed[2] = System.currentTimeMillis();
          return Eventually.eventually(vertx, 90_000, () -> lastOccurrence(schedule.name()).map(at -> at >= first[0] + 19_000));
        })
        .compose(v -> store.remove(schedule.name()))
        .compose(removed -> recentIds())
        .compose(ids -> Eventually.eventually(vertx, 60_000, () -> allSucceeded(ids)).map(ids))
        .compose(ids -> Future.all(stat("enqueued:default"), stat("succeeded:default"))
            .compose(stats -> collectLateness(ids).map(lateness -> {
              testContext.verify(() -> verify(schedule, first[0], killed, ids, stats.resultAt(0), stats.resultAt(1), lateness));
              return null;
            })))
        .onComplete(testContext.succeedingThenComplete());
  }

  /** For each task: when it was enqueued minus its occurrence (ms). */
  private Future<List<Long>> collectLateness(List<String> ids) {
    List<Future<Response>> pending = ids.stream()
        .map(id -> redis.send(Request.cmd(Command.HGET).arg(keys.task(id)).arg("t_PENDING"))).toList();
    return Future.all(pending).map(all -> {
      List<Long> lateness = new ArrayList<>();
      for (int i = 0; i < ids.size(); i++) {
        String id = ids.get(i);
        long occurrence = Instant.parse(id.substring(id.indexOf(':') + 1)).toEpochMilli();
        lateness.add(Long.parseLong(pending.get(i).result().toString()) - occurrence);
      }
      return lateness;
    });
  }

  private void verify(Schedule schedule, long first, long[] killed, List<String> ids, long enqueued, long succeeded,
                      List<Long> lateness) {
    String prefix = schedule.name() + ":";
    List<Long> occurrences = new ArrayList<>();
    for (String id : ids) {
      assertTrue(id.startsWith(prefix), "only this schedule's tasks exist in the namespace: " + id);
      occurrences.add(Instant.parse(id.substring(prefix.length())).toEpochMilli());
    }
    occurrences.sort(Long::compare);
    assertEquals(occurrences.size(), new HashSet<>(occurrences).size(), "no occurrence twice: " + ids);
    // one task per tick, from the first whole second after the schedule was created, with no gap
    for (int i = 0; i < occurrences.size(); i++) {
      assertEquals(first + i * 1000L, occurrences.get(i), "occurrence " + i + " of " + ids);
    }
    long inTwentySeconds = occurrences.stream().filter(at -> at < first + 20_000).count();
    assertEquals(20, inTwentySeconds, "runs in the first 20 s");
    assertEquals(occurrences.size(), enqueued, "tasks enqueued in the namespace (none with another id)");
    assertEquals(occurrences.size(), succeeded, "tasks run to SUCCESS, each once");
    assertTrue(occurrences.stream().anyMatch(at -> at > killed[1]), "occurrences after the kill were sent");
    assertNotEquals(0, killed[2]);
    long takeover = killed[2] - killed[1];
    long worstAfterKill = 0;
    for (int i = 0; i < ids.size(); i++) {
      long occurrence = Instant.parse(ids.get(i).substring(prefix.length())).toEpochMilli();
      if (occurrence > killed[1]) {
        worstAfterKill = Math.max(worstAfterKill, lateness.get(i));
      }
    }
    System.out.printf("BeatKillIT: %d occurrences, first %s; leader (pid %d) killed at %s, new leader after %d ms "
            + "(lease %d ms, tick %d ms); worst lateness of an occurrence after the kill %d ms, before it %d ms%n",
        occurrences.size(), Instant.ofEpochMilli(first), killed[0], Instant.ofEpochMilli(killed[1]), takeover,
        TICK_MS + TICK_MS / 2, TICK_MS, worstAfterKill,
        java.util.stream.IntStream.range(0, ids.size()).filter(i -> Instant.parse(ids.get(i).substring(prefix.length()))
            .toEpochMilli() <= killed[1]).mapToLong(lateness::get).max().orElse(0));
    // two ticks, plus what a loaded machine adds to noticing it from here (polled every 100 ms)
    assertTrue(takeover < 2 * TICK_MS + 3_000, "a new leader within two ticks: took " + takeover + " ms");
  }
}

import dev.switchboard.shared.config.TaskSettings;
import dev.switchboard.shared.tasks.RedisTaskClient;
import dev.switchboard.api.tasks.TaskHandle;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Switchboard's task load client, the same shape as the peers' loadgen/celery_tasks.py:
 * <pre>
 *   java -cp deploy/target/switchboard.jar bench/TaskBench.java REDIS_URL NAMESPACE [T=5000] [L=500]
 * </pre>
 * 1. warm-up: waits (bounded) for a worker, then 200 noop delay().get();
 * 2. throughput, twice (the first pass, "cold", includes the JIT compilation of client and worker): enqueue T noop
 *    tasks from one client as fast as it goes (at most 256 enqueues in flight), then get() each of the T results;
 * 3. latency: L sequential delay("noop").get() round trips.
 * Env SERVER_PIDS (worker), AUX_PIDS (redis): CPU sampled from /proc. Prints two RESULT lines. Every wait is
 * bounded (TASK_DEADLINE_S, default 180 s).
 */
public class TaskBench {

  static final int IN_FLIGHT = 256;
  static Context context;

  public static void main(String[] argv) throws Exception {
    String redisUrl = argv[0];
    String namespace = argv[1];
    int tasks = argv.length > 2 ? Integer.parseInt(argv[2]) : 5000;
    int latencyN = argv.length > 3 ? Integer.parseInt(argv[3]) : 500;
    long deadlineS = Long.parseLong(System.getenv().getOrDefault("TASK_DEADLINE_S", "180"));
    Vertx vertx = Vertx.vertx();
    // everything runs on one event loop, the client's own: no thread hop in the client, like Celery's one thread
    context = vertx.getOrCreateContext();
    RedisTaskClient client = onContext(() -> Future.succeededFuture(RedisTaskClient.create(vertx, redisUrl,
        TaskSettings.fromJson(new JsonObject().put("tasks", new JsonObject().put("namespace", namespace))))), 10);
    int rc = 0;
    try {
      warmUp(client);
      // the first pass includes the JVMs' JIT compilation (client and worker); the second is a warm worker, as a
      // long-running service is: both are reported, labelled
      rc |= throughput(client, tasks, deadlineS, "tasks_throughput_cold");
      rc |= throughput(client, tasks, deadlineS, "tasks_throughput");
      for (int i = 0; i < 20; i++) {
        onContext(() -> client.delay("noop").compose(h -> h.get(Duration.ofSeconds(30))), 30);
      }
      rc |= latency(client, latencyN);
    } finally {
      client.close();
      vertx.close().await();
    }
    System.exit(rc);
  }

  static void warmUp(RedisTaskClient client) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try {
        onContext(() -> client.delay("noop").compose(h -> h.get(Duration.ofSeconds(5))), 6);
        break;
      } catch (Exception e) {
        if (System.nanoTime() > end) {
          System.out.println("RESULT scenario=tasks ok=false error=\"no worker answered within 60 s: " + e + "\"");
          System.exit(2);
        }
      }
    }
    for (int i = 0; i < 200; i++) {
      onContext(() -> client.delay("noop").compose(h -> h.get(Duration.ofSeconds(10))), 10);
    }
  }

  static int throughput(RedisTaskClient client, int n, long deadlineS, String scenario) throws Exception {
    long[] s0 = cpu("SERVER_PIDS"), a0 = cpu("AUX_PIDS");
    long c0 = selfCpu(), t0 = System.nanoTime();
    List<TaskHandle> handles = enqueue(client, n);
    long tEnq = System.nanoTime();
    boolean ok;
    String error = "";
    try {
      Duration timeout = Duration.ofSeconds(deadlineS);
      List<Object> values = onContext(() -> {
        List<Future<Object>> results = new ArrayList<>(n);
        for (TaskHandle handle : handles) {
          results.add(handle.get(timeout));
        }
        return Future.all(results).map(all -> all.<Object>list());
      }, deadlineS + 5);
      ok = values.size() == n && values.stream().allMatch(v -> v == null);
      if (!ok) {
        error = "unexpected results";
      }
    } catch (Exception e) {
      ok = false;
      error = e.toString().replace('"', '\'');
    }
    long t1 = System.nanoTime(), c1 = selfCpu();
    long[] s1 = cpu("SERVER_PIDS"), a1 = cpu("AUX_PIDS");
    double wall = (t1 - t0) / 1e9, enq = (tEnq - t0) / 1e9;
    System.out.printf("RESULT scenario=%s tasks=%d enqueue_s=%.3f enqueue_per_s=%.0f total_s=%.3f "
            + "tasks_per_s=%.0f client_cpu_pct=%.0f server_cpu_pct=%s aux_cpu_pct=%s ok=%s%s%n",
        scenario, n, enq, n / enq, wall, n / wall, pct(c1 - c0, wall), pct(s0, s1, wall), pct(a0, a1, wall), ok,
        ok ? "" : " error=\"" + error + "\"");
    return ok ? 0 : 2;
  }

  /** At most IN_FLIGHT enqueues outstanding: a real client's backpressure, and Redis' pool bound. */
  static List<TaskHandle> enqueue(RedisTaskClient client, int n) throws Exception {
    TaskHandle[] handles = new TaskHandle[n];
    CompletableFuture<Void> done = new CompletableFuture<>();
    int[] next = {0};
    int[] finished = {0};
    Object lock = new Object();
    Runnable[] sendOne = new Runnable[1];
    sendOne[0] = () -> {
      int i;
      synchronized (lock) {
        if (next[0] >= n) {
          return;
        }
        i = next[0]++;
      }
      client.delay("noop").onComplete(ar -> {
        if (ar.failed()) {
          done.completeExceptionally(ar.cause());
          return;
        }
        handles[i] = ar.result();
        boolean all;
        synchronized (lock) {
          all = ++finished[0] == n;
        }
        if (all) {
          done.complete(null);
        } else {
          sendOne[0].run();
        }
      });
    };
    context.runOnContext(v -> {
      for (int i = 0; i < Math.min(IN_FLIGHT, n); i++) {
        sendOne[0].run();
      }
    });
    done.get(120, TimeUnit.SECONDS);
    return Arrays.asList(handles);
  }

  static int latency(RedisTaskClient client, int n) throws Exception {
    long[] lat = new long[n];
    long[] s0 = cpu("SERVER_PIDS"), a0 = cpu("AUX_PIDS");
    long c0 = selfCpu(), t0 = System.nanoTime();
    boolean ok = onContext(() -> roundTrips(client, lat, 0), 10L * n);
    long t1 = System.nanoTime(), c1 = selfCpu();
    long[] s1 = cpu("SERVER_PIDS"), a1 = cpu("AUX_PIDS");
    double wall = (t1 - t0) / 1e9;
    Arrays.sort(lat);
    System.out.printf("RESULT scenario=task_latency n=%d p50_ms=%.2f p99_ms=%.2f max_ms=%.2f client_cpu_pct=%.0f "
            + "server_cpu_pct=%s aux_cpu_pct=%s ok=%s%n",
        n, percentile(lat, 50), percentile(lat, 99), percentile(lat, 100), pct(c1 - c0, wall), pct(s0, s1, wall),
        pct(a0, a1, wall), ok);
    return ok ? 0 : 2;
  }

  /** Sequential delay("noop").get() from round {@code i} on, each timed; true when every result was right. */
  static Future<Boolean> roundTrips(RedisTaskClient client, long[] lat, int i) {
    if (i == lat.length) {
      return Future.succeededFuture(true);
    }
    long t = System.nanoTime();
    return client.delay("noop").compose(h -> h.get(Duration.ofSeconds(10))).compose(value -> {
      lat[i] = System.nanoTime() - t;
      return roundTrips(client, lat, i + 1).map(rest -> rest && value == null);
    });
  }

  /** Runs {@code work} on the client's event loop; the main thread waits for its outcome. */
  static <T> T onContext(Supplier<Future<T>> work, long seconds) throws Exception {
    CompletableFuture<T> outcome = new CompletableFuture<>();
    context.runOnContext(v -> work.get().onComplete(outcome::complete, outcome::completeExceptionally));
    return outcome.get(seconds, TimeUnit.SECONDS);
  }

  static double percentile(long[] sorted, int p) {
    int i = (int) Math.max(0, Math.min(sorted.length - 1, Math.ceil(sorted.length * p / 100.0) - 1));
    return sorted[i] / 1e6;
  }

  // ---- CPU from /proc: clock ticks (100/s) of processes and their descendants ----

  static long selfCpu() {
    return ticks(ProcessHandle.current().pid());
  }

  static long[] cpu(String env) {
    String pids = System.getenv().getOrDefault(env, "");
    if (pids.isBlank()) {
      return null;
    }
    return new long[] {Arrays.stream(pids.split(",")).map(String::trim).filter(s -> !s.isEmpty())
        .mapToLong(pid -> tree(Long.parseLong(pid))).sum()};
  }

  static long tree(long pid) {
    return ticks(pid) + ProcessHandle.of(pid).stream().flatMap(ProcessHandle::descendants)
        .mapToLong(child -> ticks(child.pid())).sum();
  }

  static long ticks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  static String pct(long[] before, long[] after, double wall) {
    return before == null ? "na" : String.format("%.0f", pct(after[0] - before[0], wall));
  }

  static double pct(long ticks, double wall) {
    return 100.0 * ticks / 100.0 / wall;
  }
}

import dev.switchboard.shared.cluster.ClusterBootstrap;
import dev.switchboard.shared.config.SwitchboardConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Event-bus request/reply round trip between two JVMs of a running cluster (deploy/cluster.sh start):
 *
 * <pre>java -cp deploy/target/switchboard.jar bench/EventBusRtt.java [sequential-requests] [pipelined-requests]</pre>
 *
 * This JVM joins the cluster, starts a second JVM (this same file, mode {@code respond}) that joins too and
 * answers on {@code bench.rtt.ID}, then sends requests to it: first one at a time (latency p50/p99/p99.9),
 * then 64 in flight (throughput). Both JVMs leave the cluster at the end. Reads SWITCHBOARD_CLUSTER_NAME
 * [switchboard-local] and SWITCHBOARD_CLUSTER_PORT [5701] like cluster.sh; joins on ports above the six nodes'.
 */
public class EventBusRtt {

  static final int WARMUP = 2_000;
  static final int IN_FLIGHT = 64;

  public static void main(String[] args) throws Exception {
    System.setProperty("hazelcast.logging.type", "slf4j");
    if (args.length > 0 && args[0].equals("respond")) {
      respond(args[1]);
      return;
    }
    int sequential = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int pipelined = args.length > 1 ? Integer.parseInt(args[1]) : 50_000;
    String address = "bench.rtt." + UUID.randomUUID();

    long joinStart = System.nanoTime();
    Vertx vertx = join(6).await(120, TimeUnit.SECONDS);
    System.out.printf("joined cluster '%s' in %d ms%n", clusterName(), ms(joinStart));

    Process responder = new ProcessBuilder(javaCommand("respond", address)).inheritIO().start();
    try {
      awaitResponder(vertx, address);
      System.out.printf("responder JVM (PID %d) answering on %s%n", responder.pid(), address);
      DeliveryOptions options = new DeliveryOptions().setSendTimeout(10_000);
      for (int i = 0; i < WARMUP; i++) {
        vertx.eventBus().request(address, "ping", options).await(10, TimeUnit.SECONDS);
      }
      long[] micros = new long[sequential];
      for (int i = 0; i < sequential; i++) {
        long start = System.nanoTime();
        vertx.eventBus().request(address, "ping", options).await(10, TimeUnit.SECONDS);
        micros[i] = (System.nanoTime() - start) / 1_000;
      }
      Arrays.sort(micros);
      System.out.printf("sequential request/reply, %d requests: p50 %d µs, p99 %d µs, p99.9 %d µs, max %d µs%n",
          sequential, pct(micros, 50), pct(micros, 99), pct(micros, 99.9), micros[micros.length - 1]);

      long start = System.nanoTime();
      pipeline(vertx, address, options, pipelined).await(300, TimeUnit.SECONDS);
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf("pipelined, %d in flight, %d requests: %.0f req/s%n", IN_FLIGHT, pipelined, pipelined / seconds);
    } finally {
      responder.toHandle().destroy();
      responder.waitFor(30, TimeUnit.SECONDS);
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  /** The responder JVM: joins, answers every request with its body, stops on SIGTERM. */
  static void respond(String address) throws Exception {
    Vertx vertx = join(8).await(120, TimeUnit.SECONDS);
    vertx.eventBus().<String>consumer(address, message -> message.reply(message.body())).completion().await();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> vertx.close().toCompletionStage().toCompletableFuture().orTimeout(20, TimeUnit.SECONDS).join()));
    Thread.currentThread().join();
  }

  /** Joins as a member on a port above the cluster.sh nodes' (base + offset, auto-incrementing). */
  static Future<Vertx> join(int portOffset) {
    int base = Integer.parseInt(env("SWITCHBOARD_CLUSTER_PORT", "5701"));
    List<String> members = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      members.add("127.0.0.1:" + (base + i));
    }
    SwitchboardConfig.Cluster cluster = new SwitchboardConfig.Cluster(
        clusterName(), members, "127.0.0.1", base + portOffset, "127.0.0.1");
    return ClusterBootstrap.clustered(new VertxOptions(), cluster);
  }

  /** Retries a ping until the responder's consumer is known here (its registration travels through Hazelcast). */
  static void awaitResponder(Vertx vertx, String address) throws Exception {
    long deadline = System.currentTimeMillis() + 180_000;
    while (true) {
      try {
        vertx.eventBus().request(address, "ping", new DeliveryOptions().setSendTimeout(2_000)).await(5, TimeUnit.SECONDS);
        return;
      } catch (Exception notYet) {
        if (System.currentTimeMillis() > deadline) {
          throw new IllegalStateException("responder on " + address + " did not answer within 180 s", notYet);
        }
      }
    }
  }

  /** {@code total} requests with at most {@link #IN_FLIGHT} outstanding; fails on the first failed request. */
  static Future<Void> pipeline(Vertx vertx, String address, DeliveryOptions options, int total) {
    Promise<Void> done = Promise.promise();
    AtomicInteger sent = new AtomicInteger();
    AtomicInteger answered = new AtomicInteger();
    Runnable[] next = new Runnable[1];
    next[0] = () -> {
      if (sent.getAndIncrement() >= total) {
        return;
      }
      vertx.eventBus().request(address, "ping", options).onComplete(reply -> {
        if (reply.failed()) {
          done.tryFail(reply.cause());
        } else if (answered.incrementAndGet() == total) {
          done.tryComplete();
        } else {
          next[0].run();
        }
      });
    };
    vertx.runOnContext(v -> {
      for (int i = 0; i < IN_FLIGHT; i++) {
        next[0].run();
      }
    });
    return done.future();
  }

  static List<String> javaCommand(String... args) {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:+UseSerialGC", "-Dhazelcast.wait.seconds.before.join=0",
        "-cp", System.getProperty("java.class.path"),
        Path.of("bench", "EventBusRtt.java").toString()));
    command.addAll(List.of(args));
    return command;
  }

  static String clusterName() {
    return env("SWITCHBOARD_CLUSTER_NAME", "switchboard-local");
  }

  static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }

  static long pct(long[] sorted, double p) {
    return sorted[(int) Math.min(sorted.length - 1, Math.ceil(p / 100 * sorted.length) - 1)];
  }

  static long ms(long startNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
  }
}

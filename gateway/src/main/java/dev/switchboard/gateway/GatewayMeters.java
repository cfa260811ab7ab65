package dev.switchboard.gateway;

import dev.switchboard.shared.channels.LayerStats;

import dev.switchboard.shared.metrics.MetricNames;
import dev.switchboard.shared.tasks.TaskInspector;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The gateway's meters, one set per node ({@link GatewayServices}) shared by every gateway instance (event loop): open sockets per route,
 * closes by code, outbound-queue overflows, and the task queues read from Redis when {@code /metrics} is scraped.
 * Thread-safe: instances update it from their own event loops.
 */
final class GatewayMeters {

  private final MeterRegistry registry;
  private final LayerStats layerStats;
  private final String node;
  private final Map<String, AtomicLong> open = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> queueDepth = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> queueRunning = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> queueOldestMs = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> queuePaused = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> queueExpired = new ConcurrentHashMap<>();
  private final AtomicLong delayed = new AtomicLong();
  private final AtomicLong redisUp = new AtomicLong();

  /** The node's one set ({@link GatewayServices}): its gauges are registered here, once. */
  GatewayMeters(MeterRegistry registry, String node, LayerStats layerStats) {
    this.registry = registry;
    this.layerStats = layerStats;
    this.node = node;
    Gauge.builder(MetricNames.TASKS_DELAYED, delayed, AtomicLong::get)
        .description("tasks waiting for a countdown, an ETA or a retry").register(registry);
    Gauge.builder(MetricNames.REDIS_UP, redisUp, AtomicLong::get)
        .description("1 when the gateway's last read of Redis succeeded").tag(MetricNames.NODE, node).register(registry);
  }

  void opened(String route) {
    openCount(route).incrementAndGet();
  }

  void closed(String route, int code) {
    openCount(route).decrementAndGet();
    Counter.builder(MetricNames.WEBSOCKET_CLOSES).tag(MetricNames.ROUTE, route).tag(MetricNames.CODE, String.valueOf(code))
        .tag(MetricNames.NODE, node).description("WebSocket closes by route and close code").register(registry).increment();
  }

  /** A socket closed by the heartbeat: silent (no frame, not even a pong) for two ping intervals. */
  void silentClosed(String route) {
    Counter.builder(MetricNames.WEBSOCKET_HEARTBEAT_CLOSES).tag(MetricNames.ROUTE, route).tag(MetricNames.NODE, node)
        .tag(MetricNames.REASON, "silent").description("sockets closed by the heartbeat, by reason")
        .register(registry).increment();
  }

  /** A socket closed with 1013 for not draining its queue: counted by route here, and in the channel layer's stats. */
  void overflowed(String route) {
    layerStats.slowClientClosed();
    Counter.builder(MetricNames.WEBSOCKET_QUEUE_OVERFLOWS).tag(MetricNames.ROUTE, route).tag(MetricNames.NODE, node)
        .description("sockets closed with 1013: the client did not drain its bounded outbound queue")
        .register(registry).increment();
  }

  /** Open sockets on this node by route pattern. */
  JsonObject openByRoute() {
    JsonObject json = new JsonObject();
    new TreeMap<>(open).forEach((route, count) -> json.put(route, count.get()));
    return json;
  }

  /** Reads the queues from Redis into the queue gauges; on failure marks Redis down and keeps the last values. */
  Future<Void> refreshQueues(TaskInspector inspector, long timeoutMs) {
    return inspector.queues().timeout(timeoutMs, java.util.concurrent.TimeUnit.MILLISECONDS)
        .onSuccess(queues -> {
          redisUp.set(1);
          delayed.set(queues.delayed());
          queues.queues().forEach(stats -> {
            queueGauge(queueDepth, MetricNames.QUEUE_DEPTH, stats.queue(), 1).set(stats.depth());
            queueGauge(queueRunning, MetricNames.QUEUE_RUNNING, stats.queue(), 1).set(stats.running());
            queueGauge(queueOldestMs, MetricNames.QUEUE_OLDEST_AGE, stats.queue(), 1000).set(stats.oldestAgeMs());
            queueGauge(queuePaused, MetricNames.QUEUE_PAUSED, stats.queue(), 1).set(stats.paused() ? 1 : 0);
            queueGauge(queueExpired, MetricNames.QUEUE_EXPIRED, stats.queue(), 1).set(stats.expired());
          });
        })
        .onFailure(err -> redisUp.set(0))
        .<Void>mapEmpty()
        .otherwiseEmpty();
  }

  private AtomicLong openCount(String route) {
    return open.computeIfAbsent(route, r -> {
      AtomicLong count = new AtomicLong();
      Gauge.builder(MetricNames.WEBSOCKETS_OPEN, count, AtomicLong::get).tag(MetricNames.ROUTE, r)
          .tag(MetricNames.NODE, node).description("open WebSockets by route and node").register(registry);
      return count;
    });
  }

  /** A gauge per queue; {@code divisor} turns stored milliseconds into seconds. */
  private AtomicLong queueGauge(Map<String, AtomicLong> gauges, String name, String queue, double divisor) {
    return gauges.computeIfAbsent(queue, q -> {
      AtomicLong value = new AtomicLong();
      Gauge.Builder<AtomicLong> gauge = Gauge.builder(name, value, v -> v.get() / divisor).tag(MetricNames.QUEUE, q);
      if (divisor != 1) {
        gauge.baseUnit("seconds");
      }
      gauge.register(registry);
      return value;
    });
  }
}

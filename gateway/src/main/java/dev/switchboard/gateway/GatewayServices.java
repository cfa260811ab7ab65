package dev.switchboard.gateway;

import dev.switchboard.shared.channels.LayerStats;
import dev.switchboard.shared.channels.LocalChannels;
import dev.switchboard.shared.cluster.ClusterMembership;
import dev.switchboard.shared.config.SwitchboardConfig;
import dev.switchboard.shared.metrics.SwitchboardMetrics;
import dev.switchboard.shared.tasks.RedisTaskClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;

/**
 * What every gateway verticle of one node shares: the route table, the per-client limits (a client's connections
 * count across event loops, the WebSocket server and the bridges), the meters (sockets, HTTP server), and the task client (null without
 * Redis). Created once by the node's composition root and handed to each verticle; nothing looks them up.
 */
public final class GatewayServices {

  private final RouteDirectory routes;
  private final ClientLimits limits;
  private final GatewayMeters meters;
  private final HttpServerMeters httpMeters;
  private final RedisTaskClient tasks;
  private final LocalChannels channels;
  private final LayerStats layerStats;

  private GatewayServices(RouteDirectory routes, ClientLimits limits, GatewayMeters meters, HttpServerMeters httpMeters,
                          RedisTaskClient tasks, LocalChannels channels, LayerStats layerStats) {
    this.channels = channels;
    this.layerStats = layerStats;
    this.routes = routes;
    this.limits = limits;
    this.meters = meters;
    this.httpMeters = httpMeters;
    this.tasks = tasks;
  }

  /**
   * The node's set; {@code tasks} may be null (no Redis configured); {@code layerStats} and {@code channels} are the
   * node's channel-layer counters (slow clients closed are counted there too) and open channels, which its channel
   * layer shares. The caller starts and stops {@code routes}.
   */
  public static GatewayServices create(Vertx vertx, SwitchboardConfig config, RouteDirectory routes, RedisTaskClient tasks,
                                       LayerStats layerStats, LocalChannels channels) {
    MeterRegistry registry = SwitchboardMetrics.registry(vertx);
    return new GatewayServices(routes, ClientLimits.create(config.security().limits(), registry),
        new GatewayMeters(registry, ClusterMembership.of(vertx).nodeId(), layerStats),
        new HttpServerMeters(registry, HttpServerMeters.DEFAULT_MAX_SERIES), tasks, channels, layerStats);
  }

  /**
   * As above, with channel-layer counters of its own and the Vert.x instance's view of the open channels (what a
   * {@code ChannelLayerVerticle.standalone()} deployed beside it sees): for tests of a gateway alone.
   */
  public static GatewayServices create(Vertx vertx, SwitchboardConfig config, RouteDirectory routes, RedisTaskClient tasks) {
    return create(vertx, config, routes, tasks, new LayerStats(), LocalChannels.of(vertx));
  }

  public RouteDirectory routes() {
    return routes;
  }

  /** The task client, or null when the node has no Redis. */
  public RedisTaskClient tasks() {
    return tasks;
  }

  LocalChannels channels() {
    return channels;
  }

  LayerStats layerStats() {
    return layerStats;
  }

  ClientLimits limits() {
    return limits;
  }

  GatewayMeters meters() {
    return meters;
  }

  HttpServerMeters httpMeters() {
    return httpMeters;
  }

  /** Open connections of {@code client} (an IP address) through any of this node's gateways and bridges. */
  public int openConnections(String client) {
    return limits.open(client);
  }
}

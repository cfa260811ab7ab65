package dev.switchboard.shared.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import dev.switchboard.shared.config.SwitchboardConfig;
import dev.switchboard.shared.metrics.SwitchboardMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/**
 * Creates the node's Vert.x instance: local, or joined to a Hazelcast cluster by TCP-IP.
 *
 * <p>The Hazelcast file found by {@link ConfigUtil#loadConfig()} ({@code cluster.xml} on the class path,
 * shipped by the deploy module, or {@code -Dvertx.hazelcast.config}) keeps the {@code __vertx.*} maps and
 * the failure-detection tuning; membership (unless the file uses Kubernetes discovery), interface and ports
 * come from the Switchboard config.
 */
public final class ClusterBootstrap {

  private ClusterBootstrap() {
  }

  /** A local instance, with metrics recorded into a new Prometheus registry ({@link SwitchboardMetrics}). */
  public static Future<Vertx> local(VertxOptions options) {
    PrometheusMeterRegistry registry = SwitchboardMetrics.newRegistry();
    return Future.succeededFuture(SwitchboardMetrics.attach(
        SwitchboardMetrics.enable(Vertx.builder(), options, registry).build(), registry));
  }

  public static Future<Vertx> clustered(VertxOptions options, SwitchboardConfig.Cluster cluster) {
    options.setEventBusOptions(new EventBusOptions()
        .setHost(cluster.host())
        .setPort(0)
        .setClusterPublicHost(cluster.publicHost()));
    PrometheusMeterRegistry registry = SwitchboardMetrics.newRegistry();
    return SwitchboardMetrics.enable(Vertx.builder(), options, registry)
        .withClusterManager(new HazelcastClusterManager(hazelcastConfig(cluster)))
        .buildClustered()
        .map(vertx -> SwitchboardMetrics.attach(vertx, registry));
  }

  static Config hazelcastConfig(SwitchboardConfig.Cluster cluster) {
    return hazelcastConfig(ConfigUtil.loadConfig(), cluster);
  }

  /**
   * Applies the Switchboard cluster settings to {@code config} (a loaded Hazelcast file) and returns it:
   * cluster name, ports, the interface to bind, multicast off, and TCP-IP to the configured members,
   * unless the file's join is Kubernetes discovery, which is kept.
   */
  public static Config hazelcastConfig(Config config, SwitchboardConfig.Cluster cluster) {
    config.setClusterName(cluster.name());
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.getNetworkConfig().setPort(cluster.port()).setPortAutoIncrement(true).setPortCount(50);
    config.getNetworkConfig().setPublicAddress(null);
    config.getNetworkConfig().getInterfaces().setEnabled(true).clear().addInterface(cluster.host());
    JoinConfig join = config.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    // A file that discovers members through Kubernetes (deploy's cluster-k8s.xml) keeps that join:
    // Hazelcast refuses two join methods, and the member list is not known in advance there.
    if (!join.getKubernetesConfig().isEnabled()) {
      join.getTcpIpConfig().setEnabled(true).setMembers(cluster.members());
    }
    return config;
  }
}

package dev.switchboard.shared.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.util.EnumSet;
import java.util.UUID;

/**
 * The meter registry of one Vert.x instance. Metrics must be switched on when the instance is built
 * ({@link #enable}); components then find the registry with {@link #registry(Vertx)}. An instance built without
 * them (a unit test's) gets a private in-memory registry, so instrumented code never needs to check.
 *
 * <p>Vert.x's own labels are limited to bounded ones: pool type and name. Vert.x's event-bus meters are off (see
 * {@link #enable}); had they been on, the address label would be left out all the same: every socket's channel and
 * every task has its own address. Its HTTP server meters are off too: the gateway records them under the same names
 * with meters bound once per route, method and code (vertx-micrometer looks five meters up on every request).
 */
public final class SwitchboardMetrics {

  private static final String MAP = "switchboard.metrics";
  private static final String KEY = "registry";

  /** Holds the registry in the instance's local map. */
  private record Holder(MeterRegistry registry) implements Shareable {
  }

  private SwitchboardMetrics() {
  }

  /** A new Prometheus registry for the Vert.x instance about to be built with {@link #enable}. */
  public static PrometheusMeterRegistry newRegistry() {
    return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  /** Switches Vert.x metrics on for an instance built with {@code builder}, recording into {@code registry}. */
  public static VertxBuilder enable(VertxBuilder builder, VertxOptions options, MeterRegistry registry) {
    options.setMetricsOptions(new MicrometerMetricsOptions()
        .setEnabled(true)
        // Only the meters that are not paid per message: with Vert.x's event-bus, TCP and JVM meters on, a clustered
        // gateway's group fan-out slowed enough under load that ChannelLayerClusterIT.slowClientClosed timed out
        // (3.5 s without metrics, over 30 s with). The channel layer's own group meters count that traffic instead.
        .addDisabledMetricsCategory(MetricsDomain.EVENT_BUS)
        .addDisabledMetricsCategory(MetricsDomain.NET_CLIENT)
        .addDisabledMetricsCategory(MetricsDomain.NET_SERVER)
        .addDisabledMetricsCategory(MetricsDomain.HTTP_CLIENT)
        // recorded by the gateway's router instead (HttpServerMeters): vertx-micrometer built Tags and a meter id
        // for five meter look-ups per request, ~940 B of the gateway's ~2.5 KB per GET /api/ping
        .addDisabledMetricsCategory(MetricsDomain.HTTP_SERVER)
        .addDisabledMetricsCategory(MetricsDomain.DATAGRAM_SOCKET)
        .setRegistryName("switchboard-" + UUID.randomUUID())
        .setLabels(EnumSet.of(Label.EB_SIDE, Label.POOL_TYPE, Label.POOL_NAME)));
    return builder.with(options).withMetrics(new MicrometerMetricsFactory(registry));
  }

  /** Makes {@code registry} the one {@link #registry(Vertx)} answers for {@code vertx}. */
  public static Vertx attach(Vertx vertx, MeterRegistry registry) {
    vertx.sharedData().<String, Holder>getLocalMap(MAP).put(KEY, new Holder(registry));
    return vertx;
  }

  /**
   * The instance's registry: the one attached when the instance was built ({@code ClusterBootstrap}, the only way a
   * node builds its Vert.x), or, for an instance built without one (a unit test's), an in-memory registry made on
   * first use.
   */
  public static MeterRegistry registry(Vertx vertx) {
    Holder holder = vertx.sharedData().<String, Holder>getLocalMap(MAP).get(KEY);
    return holder != null ? holder.registry() : unattached(vertx);
  }

  /** Made once per instance under a lock, so no caller ever builds a registry that another one then replaces. */
  private static synchronized MeterRegistry unattached(Vertx vertx) {
    LocalMap<String, Holder> map = vertx.sharedData().getLocalMap(MAP);
    Holder holder = map.get(KEY);
    if (holder == null) {
      holder = new Holder(new SimpleMeterRegistry());
      map.put(KEY, holder);
    }
    return holder.registry();
  }

  /** The Prometheus text of the instance, or null when it was built without a Prometheus registry. */
  public static String scrape(Vertx vertx) {
    return registry(vertx) instanceof PrometheusMeterRegistry prometheus ? prometheus.scrape() : null;
  }
}

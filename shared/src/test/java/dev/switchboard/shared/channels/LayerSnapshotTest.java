package dev.switchboard.shared.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchboard.shared.cluster.ClusterMembership;
import dev.switchboard.shared.metrics.MetricNames;
import dev.switchboard.shared.metrics.SwitchboardMetrics;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("The channel layer asking a node that joined for its group members")
class LayerSnapshotTest {

  private final LayerStats stats = new LayerStats();
  private ChannelLayerVerticle layer;

  @BeforeEach
  void deploy(Vertx vertx, VertxTestContext test) {
    layer = new ChannelLayerVerticle(stats, LocalChannels.create(vertx));
    vertx.deployVerticle(layer, new DeploymentOptions().setConfig(new JsonObject())).onComplete(test.succeedingThenComplete());
  }

  @Test
  @DisplayName("a node that never answers: every attempt made, then given up, counted once in the node's meter")
  void abandonedSnapshotIsCounted(Vertx vertx, VertxTestContext test) {
    String node = ClusterMembership.of(vertx).nodeId();
    vertx.runOnContext(v -> layer.snapshotWithRetries("no-such-node", 3, 10)
        .compose(done -> layer.snapshotWithRetries(node, 3, 10)) // this node's own layer answers: not counted
        .onComplete(test.succeeding(done -> test.verify(() -> {
          assertEquals(1, stats.snapshotsAbandoned());
          assertEquals(1.0, SwitchboardMetrics.registry(vertx).get(MetricNames.GROUP_SNAPSHOTS_ABANDONED)
              .tag(MetricNames.NODE, node).functionCounter().count());
          test.completeNow();
        }))));
  }
}

package dev.switchboard.shared.cluster;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * This node's identity in the cluster and news of nodes that leave it, so that state owned on behalf of a
 * departed node (a socket served by its consumer, its group members) is dropped at once rather than after
 * a timeout. Without a cluster the node is alone and nobody ever leaves.
 */
public final class ClusterMembership {

  /** The member attribute where vertx-hazelcast keeps the Vert.x node id (not the member's UUID). */
  private static final String VERTX_NODE_ID = "__vertx.nodeId";
  private static final String LOCAL_NODE_ID = "local-" + UUID.randomUUID();

  private final Vertx vertx;
  private final ClusterManager clusterManager;

  private ClusterMembership(Vertx vertx, ClusterManager clusterManager) {
    this.vertx = vertx;
    this.clusterManager = clusterManager;
  }

  public static ClusterMembership of(Vertx vertx) {
    return new ClusterMembership(vertx, ((VertxInternal) vertx).clusterManager());
  }

  public boolean clustered() {
    return clusterManager != null;
  }

  public String nodeId() {
    return clustered() ? clusterManager.getNodeId() : LOCAL_NODE_ID;
  }

  public List<String> nodes() {
    return clustered() ? clusterManager.getNodes() : List.of(nodeId());
  }

  /**
   * Calls {@code handler} with the id of each node that leaves the cluster, on the calling verticle's
   * context. Returns a handle that stops the notifications.
   */
  public Runnable onNodeLeft(Consumer<String> handler) {
    return onMembership(null, handler);
  }

  /**
   * Calls {@code joined} with the id of each node that joins the cluster, including one that comes back when a
   * split cluster merges, and {@code left} with each that leaves; on the calling verticle's context. Returns a
   * handle that stops the notifications.
   */
  public Runnable onMembership(Consumer<String> joined, Consumer<String> left) {
    if (!(clusterManager instanceof HazelcastClusterManager hazelcast)) {
      return () -> { };
    }
    Context context = vertx.getOrCreateContext();
    var cluster = hazelcast.getHazelcastInstance().getCluster();
    UUID registration = cluster.addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
        String nodeId = event.getMember().getAttribute(VERTX_NODE_ID);
        if (nodeId != null && joined != null) {
          context.runOnContext(v -> joined.accept(nodeId));
        }
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        String nodeId = event.getMember().getAttribute(VERTX_NODE_ID);
        if (nodeId != null && left != null) {
          context.runOnContext(v -> left.accept(nodeId));
        }
      }
    });
    return () -> {
      if (hazelcast.getHazelcastInstance().getLifecycleService().isRunning()) {
        cluster.removeMembershipListener(registration);
      }
    };
  }
}

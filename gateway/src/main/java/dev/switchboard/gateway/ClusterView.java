package dev.switchboard.gateway;

import dev.switchboard.shared.cluster.ClusterMembership;
import dev.switchboard.shared.protocol.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Comparator;
import java.util.List;

/**
 * The whole cluster seen from this node: every member asked for its status ({@link NodeStatusVerticle}) over the
 * event bus, all at once, each within {@link #TIMEOUT_MS}; a member that does not answer is listed as UNREACHABLE.
 */
final class ClusterView {

  static final long TIMEOUT_MS = 1500;

  private final Vertx vertx;
  private final ClusterMembership membership;

  ClusterView(Vertx vertx) {
    this.vertx = vertx;
    this.membership = ClusterMembership.of(vertx);
  }

  /** {@code {"node": this node, "clustered", "nodes": [status...]}}, nodes in id order. */
  Future<JsonObject> status() {
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(TIMEOUT_MS);
    List<Future<JsonObject>> statuses = membership.nodes().stream()
        .map(id -> vertx.eventBus().<JsonObject>request(Addresses.nodeStatus(id), null, options)
            .map(reply -> reply.body())
            .otherwise(err -> new JsonObject().put("node", id).put("status", "UNREACHABLE")
                .put("error", err.getMessage()).put("roles", new JsonArray())))
        .toList();
    return Future.join(statuses).map(all -> new JsonObject()
        .put("node", membership.nodeId())
        .put("clustered", membership.clustered())
        .put("nodes", new JsonArray(statuses.stream().map(Future::result)
            .sorted(Comparator.comparing(json -> json.getString("node"))).toList())));
  }
}

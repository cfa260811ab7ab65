package dev.switchboard.gateway;

import dev.switchboard.shared.cluster.ClusterMembership;
import dev.switchboard.shared.protocol.Addresses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.CheckResult;
import io.vertx.ext.healthchecks.HealthChecks;

/**
 * Deployed on every node: answers {@link Addresses#nodeStatus} for this node, cluster-wide, with its roles, its health
 * checks (each role's own: the worker's Redis, busy slots and concurrency, ...) and, on a gateway, its open sockets
 * by route. The dashboard and {@code switchboard cluster status} ask every member in turn ({@link ClusterView}).
 */
public class NodeStatusVerticle extends VerticleBase {

  private final GatewayServices gateway;
  private HealthChecks checks;
  private JsonArray roles;
  private String node;

  /** On a node without a gateway. */
  public NodeStatusVerticle() {
    this(null);
  }

  /** On a gateway node: {@code gateway}'s meters tell its open sockets by route. */
  public NodeStatusVerticle(GatewayServices gateway) {
    this.gateway = gateway;
  }

  @Override
  public Future<?> start() {
    checks = NodeHealth.checks(vertx, config());
    roles = config().getJsonArray("roles", new JsonArray());
    node = ClusterMembership.of(vertx).nodeId();
    return vertx.eventBus().<JsonObject>consumer(Addresses.nodeStatus(node), message -> status()
            .onSuccess(message::reply)
            .onFailure(err -> message.fail(500, err.getMessage())))
        .completion();
  }

  private Future<JsonObject> status() {
    return checks.checkStatus().map(result -> {
      JsonObject status = new JsonObject()
          .put("node", node)
          .put("roles", roles)
          .put("status", result.getUp() ? "UP" : "DOWN")
          .put("checks", checksJson(result));
      if (gateway != null) {
        status.put("websockets", gateway.meters().openByRoute());
      }
      return status;
    });
  }

  private static JsonObject checksJson(CheckResult result) {
    JsonObject checks = new JsonObject();
    if (result.getChecks() != null) {
      for (CheckResult check : result.getChecks()) {
        checks.put(check.getId(), new JsonObject()
            .put("status", check.getUp() ? "UP" : "DOWN")
            .put("data", check.getData() == null ? new JsonObject() : check.getData()));
      }
    }
    return checks;
  }
}

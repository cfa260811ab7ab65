package dev.switchboard.gateway;

import dev.switchboard.shared.cluster.ClusterMembership;
import dev.switchboard.shared.protocol.Addresses;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code GET /health} for this node: the node itself, the cluster, and each role deployed here, asked
 * over the local event bus (a role answers with its own dependencies, e.g. the worker's Redis), and PostgreSQL
 * ({@code pg}) when the consumers role runs here. 200 when
 * every check is up, 503 otherwise.
 */
final class NodeHealth {

  private static final long ROLE_TIMEOUT_MS = 2000;

  private NodeHealth() {
  }

  static HealthCheckHandler handler(Vertx vertx, JsonObject config) {
    return HealthCheckHandler.createWithHealthChecks(checks(vertx, config));
  }

  /** The node's checks: node, cluster, then one per role deployed here other than the gateway. */
  static HealthChecks checks(Vertx vertx, JsonObject config) {
    ClusterMembership membership = ClusterMembership.of(vertx);
    JsonArray roles = config.getJsonArray("roles", new JsonArray().add("gateway"));
    HealthChecks checks = HealthChecks.create(vertx)
        .register("node", promise -> promise.complete(Status.OK(new JsonObject()
            .put("id", membership.nodeId()).put("roles", roles))))
        .register("cluster", promise -> promise.complete(Status.OK(new JsonObject()
            .put("clustered", membership.clustered()).put("nodes", membership.nodes().size()))));
    List<String> dependencies = new ArrayList<>(roles.stream().map(String::valueOf).filter(role -> !role.equals("gateway")).toList());
    // only the consumers role uses PostgreSQL (the gateway is a protocol server and never opens a database)
    boolean usesPg = roles.contains("consumers");
    if (usesPg && config.getJsonObject("pg", new JsonObject()).getString("url") != null) {
      dependencies.add("pg");
    }
    dependencies.forEach(role ->
        checks.register(role, ROLE_TIMEOUT_MS, promise -> vertx.eventBus()
            .<JsonObject>request(Addresses.localHealth(role), null, new DeliveryOptions().setSendTimeout(ROLE_TIMEOUT_MS))
            .onSuccess(reply -> promise.complete("UP".equals(reply.body().getString("status"))
                ? Status.OK(reply.body()) : Status.KO(reply.body())))
            .onFailure(err -> promise.complete(Status.KO(new JsonObject().put("error", err.getMessage()))))));
    return checks;
  }
}

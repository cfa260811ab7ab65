package dev.switchboard.gateway;

import dev.switchboard.shared.channels.EventBusChannelLayer;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /api/channels/stats}: every node's channel-layer counters (group sends and the cluster
 * messages they cost, deliveries, drops by reason, slow clients closed with 1013) as JSON.
 */
final class ChannelStats {

  private static final long TIMEOUT_MS = 5000;

  private ChannelStats() {
  }

  static Handler<RoutingContext> handler(Vertx vertx) {
    EventBusChannelLayer layer = new EventBusChannelLayer(vertx, TIMEOUT_MS);
    return rc -> layer.clusterStats().onSuccess(rc::json).onFailure(rc::fail);
  }
}

package dev.switchboard.gateway;

import dev.switchboard.shared.metrics.SwitchboardMetrics;
import dev.switchboard.shared.tasks.RedisTaskClient;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /metrics}: this node's meters in Prometheus text. On a node with a task client, the queue gauges are
 * first refreshed from Redis (one script, at most {@link #REDIS_TIMEOUT_MS}; on timeout the last values are shown
 * and {@code switchboard_redis_up} is 0), so depth and oldest age are as of the scrape.
 */
final class MetricsEndpoint {

  static final long REDIS_TIMEOUT_MS = 1000;
  private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private MetricsEndpoint() {
  }

  static Handler<RoutingContext> handler(Vertx vertx, RedisTaskClient tasks, GatewayMeters meters) {
    return rc -> {
      Future<Void> refreshed = tasks == null ? Future.succeededFuture()
          : meters.refreshQueues(tasks.inspector(), REDIS_TIMEOUT_MS);
      refreshed.onComplete(v -> {
        String text = SwitchboardMetrics.scrape(vertx);
        if (text == null) {
          rc.fail(503, new IllegalStateException("metrics are not enabled on this Vert.x instance"));
          return;
        }
        rc.response().putHeader(HttpHeaders.CONTENT_TYPE, CONTENT_TYPE).end(text);
      });
    };
  }
}

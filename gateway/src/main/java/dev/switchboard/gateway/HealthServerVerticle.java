package dev.switchboard.gateway;

import dev.switchboard.shared.config.SwitchboardConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /health} and {@code GET /metrics} on the HTTP port of a node that runs no gateway (consumers or worker only), so that
 * every node can be probed the same way (Kubernetes liveness and readiness, {@code deploy/cluster.sh}); with the
 * gateway's Host allow-list.
 */
public class HealthServerVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(HealthServerVerticle.class);
  private HttpServer server;

  @Override
  public Future<?> start() {
    SwitchboardConfig config = SwitchboardConfig.fromJson(config());
    Router router = Router.router(vertx);
    router.route().handler(AccessControl.hostGuard(AccessControl.hostCheck(config.security())));
    ApiErrors.install(router);
    router.get("/health").handler(NodeHealth.handler(vertx, config()));
    router.get("/metrics").handler(MetricsEndpoint.handler(vertx, null, null));
    server = vertx.createHttpServer();
    return server.requestHandler(router)
        .listen(config.http().port(), config.http().host())
        .onSuccess(s -> log.debug("health server listening on {}", s.actualPort()));
  }

  public int actualPort() {
    return server.actualPort();
  }
}

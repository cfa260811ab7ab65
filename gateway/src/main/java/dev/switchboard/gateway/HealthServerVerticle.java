package dev.switchboard.gateway;

import dev.switchboard.shared.config.SwitchboardConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /health} and {@code GET /metrics} on the HTTP port of a node that runs no gateway (consumers or worker
 * only), so that every node can be probed the same way (Kubernetes liveness and readiness, {@code deploy/cluster.sh}).
 * The gateway's rules hold here too: the Host allow-list, and with a JWT key configured {@code /metrics} needs a
 * token ({@code Authorization: Bearer}) unless {@code auth.public} lists it; {@code /health} is always open.
 */
public class HealthServerVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(HealthServerVerticle.class);
  private static final String METRICS = "/metrics";
  private HttpServer server;

  @Override
  public Future<?> start() {
    SwitchboardConfig config = SwitchboardConfig.fromJson(config());
    return TokenAuth.create(vertx, config.security().auth()).compose(tokens -> {
      Router router = Router.router(vertx);
      router.route().handler(AccessControl.hostGuard(AccessControl.hostCheck(config.security())));
      ApiErrors.install(router);
      router.get("/health").handler(NodeHealth.handler(vertx, config()));
      router.get(METRICS).handler(rc -> requireToken(tokens, rc)).handler(MetricsEndpoint.handler(vertx, null, null));
      server = vertx.createHttpServer();
      return server.requestHandler(router).listen(config.http().port(), config.http().host());
    }).onSuccess(s -> log.debug("health server listening on {}", s.actualPort()));
  }

  /** As on the gateway: a protected path needs a valid token (401), and a token presented must be valid. */
  private static void requireToken(TokenAuth tokens, RoutingContext rc) {
    String token = TokenAuth.bearerOf(rc.request().headers());
    if (token == null && !tokens.protects(METRICS)) {
      rc.next();
      return;
    }
    tokens.check(METRICS, token).onComplete(checked -> {
      if (checked.succeeded()) {
        rc.next();
      } else {
        rc.fail(401, checked.cause());
      }
    });
  }

  public int actualPort() {
    return server.actualPort();
  }
}

package dev.switchboard.gateway;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The router's first handler: a path whose percent-encoding does not decode ({@code %ZZ}, a lone {@code %}) is
 * the client's error, 400, before normalising the path or decoding a route's parameters fails it as a 500.
 */
final class PathCheck {

  private PathCheck() {
  }

  static void install(Router router) {
    router.route().handler(PathCheck::check);
  }

  private static void check(RoutingContext rc) {
    try {
      QueryStringDecoder.decodeComponent(rc.request().path());
    } catch (IllegalArgumentException e) {
      rc.fail(400, new IllegalArgumentException("malformed percent-encoding in the path: " + e.getMessage()));
      return;
    }
    rc.next();
  }
}

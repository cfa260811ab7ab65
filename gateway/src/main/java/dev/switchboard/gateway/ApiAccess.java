package dev.switchboard.gateway;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The one gate every API call and the dashboard (its page, its live feed, its actions: retry, revoke) pass through
 * before they run. Authentication plugs in here, once, for all of them; today Switchboard has none, so everyone
 * is let through. Installed on the router before any API route.
 */
final class ApiAccess {

  private ApiAccess() {
  }

  static void install(Router router) {
    router.route("/api/*").handler(ApiAccess::authorize);
    router.route("/dashboard*").handler(ApiAccess::authorize);
  }

  private static void authorize(RoutingContext rc) {
    rc.next();
  }
}

package dev.switchboard.gateway;

import io.vertx.ext.web.Router;

/**
 * The one HTTP gate every API call and the dashboard (its page, its live feed {@code /dashboard/events}, its actions:
 * retry, revoke) pass through before they run, installed on the router before any route. It is the gateway's
 * {@link AccessControl}: a path under a prefix listed in {@code security.auth.protect} (for instance {@code /api},
 * {@code /dashboard}) needs a valid JWT ({@code Authorization: Bearer} or the {@code token} query parameter, which
 * the dashboard's EventSource must use), and a token presented anywhere must be valid; 401 otherwise. With nothing
 * protected, everyone is let through and no handler is installed.
 */
final class ApiAccess {

  private ApiAccess() {
  }

  static void install(Router router, AccessControl access) {
    if (access.protectsHttp()) {
      // every path, not only /api/* and /dashboard*: the protect list decides, as for WebSockets and bridges
      router.route().handler(access::requireToken);
    }
  }
}

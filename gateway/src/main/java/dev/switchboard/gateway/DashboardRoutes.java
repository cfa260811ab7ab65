package dev.switchboard.gateway;

import dev.switchboard.shared.tasks.RedisTaskClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The dashboard: the page and its assets under {@code /dashboard/} (shipped in the jar, nothing fetched from
 * elsewhere), its live feed {@code /dashboard/events} ({@link DashboardFeed}), and {@code GET /api/cluster}, the
 * nodes with their roles and health. Its actions are the task API's own (retry, revoke), behind {@link ApiAccess}.
 */
final class DashboardRoutes {

  /** The live feed: task arguments and results, so always behind a token when a key is configured. */
  static final String EVENTS = "/dashboard/events";

  private DashboardRoutes() {
  }

  /** Mounts the routes; the returned feed must be closed when the gateway stops. */
  static DashboardFeed mount(Vertx vertx, Router router, RedisTaskClient tasks) {
    DashboardFeed feed = new DashboardFeed(vertx, tasks);
    ClusterView cluster = new ClusterView(vertx);
    router.get("/api/cluster").handler(rc -> cluster.status()
        .onSuccess(status -> rc.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(status.encode()))
        .onFailure(rc::fail));
    // "/dashboard" matches "/dashboard/" too: redirect only the bare path, so relative asset URLs resolve
    router.get("/dashboard").handler(rc -> {
      if (rc.request().path().endsWith("/")) {
        rc.next();
      } else {
        rc.redirect("/dashboard/");
      }
    });
    router.get(EVENTS).handler(feed::subscribe);
    router.get("/dashboard/*").handler(StaticHandler.create("dashboard").setIndexPage("index.html"));
    return feed;
  }
}

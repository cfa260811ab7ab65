package dev.switchboard.shared.routes;

import dev.switchboard.shared.cluster.ClusterMembership;
import dev.switchboard.shared.protocol.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import java.util.List;

/**
 * Announces one source's routes to every gateway of the cluster: writes them to the cluster-wide map (read by a
 * gateway when it starts) and then publishes them (heard by every running gateway). {@link #announce} completes
 * once both are done, so a route is served everywhere soon after the Future completes; {@link #withdraw} takes the
 * routes back. A node that dies without withdrawing loses its routes on every gateway when the cluster sees it
 * leave. Use from one context; not thread-safe.
 */
public final class RouteAnnouncer {

  private final Vertx vertx;
  private final String node;
  private final String source;
  private long version;

  /** A source on this node; {@code source} names it uniquely on the node (e.g. a deployment id). */
  public RouteAnnouncer(Vertx vertx, String source) {
    this(vertx, ClusterMembership.of(vertx).nodeId(), source);
  }

  /** A source attributed to {@code node}: the TCP bridge announces its clients' routes as its own node's. */
  public RouteAnnouncer(Vertx vertx, String node, String source) {
    this.vertx = vertx;
    this.node = node;
    this.source = source;
  }

  /** Replaces this source's routes with {@code routes} on every gateway. */
  public Future<Void> announce(List<Route> routes) {
    RouteAnnouncement announcement = next(routes);
    JsonObject json = announcement.toJson();
    return remember(announcement)
        .onComplete(done -> vertx.eventBus().publish(Addresses.ROUTES_ANNOUNCE, json));
  }

  /** This source's next announcement (a higher version than the last), not yet sent anywhere. */
  public RouteAnnouncement next(List<Route> routes) {
    return new RouteAnnouncement(node, source, ++version, routes);
  }

  /**
   * Writes {@code announcement} to the cluster-wide map only, for a caller that publishes it another way (the TCP
   * bridge lets its client's own publish go out).
   */
  public Future<Void> remember(RouteAnnouncement announcement) {
    return map()
        .compose(map -> announcement.withdrawn()
            ? map.remove(announcement.key()).<Void>mapEmpty()
            : map.put(announcement.key(), announcement.toJson()));
  }

  /** Takes back every route of this source. */
  public Future<Void> withdraw() {
    return announce(List.of());
  }

  private Future<AsyncMap<String, JsonObject>> map() {
    return vertx.sharedData().getAsyncMap(Addresses.ROUTES_MAP);
  }
}

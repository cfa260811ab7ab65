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
 * leave. A node that comes back when a split cluster merges was such a node for the other side (and they for it):
 * {@link #repeatWhenNodesJoin} announces the routes again whenever a node joins. Use from one context; not
 * thread-safe.
 */
public final class RouteAnnouncer {

  /** Delays after a node joins at which the routes are announced again: its subscriptions may arrive late. */
  static final List<Long> REPEAT_DELAYS_MS = List.of(1L, 1000L, 3000L);

  private final Vertx vertx;
  private final String node;
  private final String source;
  private long version;
  /** The announcement last written to the map (what the gateways should hold), or null before the first. */
  private RouteAnnouncement last;

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
    last = announcement;
    return map()
        .compose(map -> announcement.withdrawn()
            ? map.remove(announcement.key()).<Void>mapEmpty()
            : map.put(announcement.key(), announcement.toJson()));
  }

  /** Takes back every route of this source. */
  public Future<Void> withdraw() {
    return announce(List.of());
  }

  /**
   * Whenever a node joins the cluster, announces the current routes again (same version: a gateway that still holds
   * them ignores the copy). A node that merges back after a split dropped the other side's routes while it was apart,
   * and they dropped its own (they saw it leave), so each side must hear the other's again. A node that has just
   * joined may not know this node's subscriptions yet, so the announcement is repeated a few times, backing off
   * ({@link #REPEAT_DELAYS_MS}). Call from the context that owns this announcer (its timers end with that verticle);
   * returns a handle that stops it.
   */
  public Runnable repeatWhenNodesJoin() {
    return whenNodesJoin(vertx, this::repeat);
  }

  /**
   * Runs {@code announceAgain} a few times ({@link #REPEAT_DELAYS_MS}) after each other node joins the cluster, for
   * a holder of several announcers (the TCP bridge); see {@link #repeatWhenNodesJoin}. Returns a handle that stops it.
   */
  public static Runnable whenNodesJoin(Vertx vertx, Runnable announceAgain) {
    String self = ClusterMembership.of(vertx).nodeId();
    return ClusterMembership.of(vertx).onMembership(joined -> {
      if (!joined.equals(self)) {
        REPEAT_DELAYS_MS.forEach(delay -> vertx.setTimer(delay, t -> announceAgain.run()));
      }
    }, null);
  }

  /** Writes the last announcement to the map again and publishes it again; nothing when there is none or it withdrew. */
  public Future<Void> repeat() {
    RouteAnnouncement current = last;
    if (current == null || current.withdrawn()) {
      return Future.succeededFuture();
    }
    JsonObject json = current.toJson();
    return remember(current).onComplete(done -> vertx.eventBus().publish(Addresses.ROUTES_ANNOUNCE, json));
  }

  private Future<AsyncMap<String, JsonObject>> map() {
    return vertx.sharedData().getAsyncMap(Addresses.ROUTES_MAP);
  }
}

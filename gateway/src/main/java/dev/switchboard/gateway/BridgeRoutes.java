package dev.switchboard.gateway;

import dev.switchboard.shared.cluster.ClusterMembership;
import dev.switchboard.shared.protocol.Addresses;
import dev.switchboard.shared.routes.Route;
import dev.switchboard.shared.routes.RouteAnnouncement;
import dev.switchboard.shared.routes.RouteAnnouncer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Route announcements from TCP-bridge clients (a consumer in Python or Node): the client publishes
 * {@code {"source": "...", "routes": [{"kind","pattern","consumer"}]}} to {@link Addresses#ROUTES_ANNOUNCE}, which
 * the bridge must permit inbound. The routes are announced as this node's, under a source named for the client's
 * connection: the frame's body is completed in place (node, source, version) before the bridge publishes it, it is
 * written to the cluster-wide map, and it is withdrawn when the connection closes; if this node dies, every gateway
 * drops them with the node, and every client's routes are announced again when a node joins. At most
 * {@link #MAX_SOURCES_PER_CONNECTION} sources per connection.
 *
 * <p>A client may announce only the patterns {@code tcpBridge.routes} lists (exact, or {@code re:REGEX}), none by
 * default: an announcement with any other pattern is refused whole, so a client permitted to announce cannot claim
 * {@code /api/rooms/:room/messages} or a room of {@code /ws/chat/:room}. (The route table also refuses a pattern
 * that would take paths from another source's route: {@link RouteDirectory}.)
 */
final class BridgeRoutes {

  static final int MAX_SOURCES_PER_CONNECTION = 16;
  private static final Logger log = LoggerFactory.getLogger(BridgeRoutes.class);

  private final Vertx vertx;
  private final String node;
  private final List<String> inbound;
  private final List<String> allowedPatterns;
  private final Map<NetSocket, Map<String, RouteAnnouncer>> announced = new HashMap<>();

  BridgeRoutes(Vertx vertx, List<String> inbound, List<String> allowedPatterns) {
    this.vertx = vertx;
    this.node = ClusterMembership.of(vertx).nodeId();
    this.inbound = inbound;
    this.allowedPatterns = allowedPatterns;
  }

  /**
   * Called for every frame a client sends or publishes to {@code address}; completes an announcement in place.
   * Returns false when the frame is an announcement that must be refused (malformed, or too many sources).
   */
  boolean onFrame(NetSocket socket, String address, JsonObject frame) {
    if (!Addresses.ROUTES_ANNOUNCE.equals(address) || !BridgePermissions.permits(inbound, address)) {
      return true; // not an announcement, or one the bridge will refuse itself
    }
    JsonObject body = frame.getValue("body") instanceof JsonObject json ? json : null;
    try {
      if (body == null || !(body.getValue("source") instanceof String source) || !(body.getValue("routes") instanceof JsonArray)) {
        throw new IllegalArgumentException("expected {\"source\": \"...\", \"routes\": [...]}");
      }
      Map<String, RouteAnnouncer> sources = announced.computeIfAbsent(socket, s -> new LinkedHashMap<>());
      RouteAnnouncer announcer = sources.get(source);
      if (announcer == null) {
        if (sources.size() >= MAX_SOURCES_PER_CONNECTION) {
          throw new IllegalArgumentException("at most " + MAX_SOURCES_PER_CONNECTION + " sources per connection");
        }
        announcer = new RouteAnnouncer(vertx, node, "bridge-" + UUID.randomUUID() + "-" + source);
      }
      List<Route> routes = new ArrayList<>();
      for (Object json : body.getJsonArray("routes")) {
        Route route = Route.fromJson(json);
        if (!BridgePermissions.permits(allowedPatterns, route.pattern())) {
          throw new IllegalArgumentException("pattern " + route.pattern() + " is not in tcpBridge.routes"
              + " (SWITCHBOARD_TCP_BRIDGE_ROUTES) " + allowedPatterns);
        }
        routes.add(route);
      }
      RouteAnnouncement announcement = announcer.next(routes);
      sources.put(source, announcer);
      body.getMap().clear();
      body.mergeIn(announcement.toJson());
      announcer.remember(announcement)
          .onFailure(err -> log.warn("bridge routes of {} not stored: {}", socket.remoteAddress(), err.getMessage()));
      return true;
    } catch (IllegalArgumentException e) {
      log.info("refused a route announcement from bridge client {}: {}", socket.remoteAddress(), e.getMessage());
      return false;
    }
  }

  /** Announces every client's routes again whenever a node joins (as after a split); returns a handle that stops it. */
  Runnable repeatWhenNodesJoin() {
    return RouteAnnouncer.whenNodesJoin(vertx, () -> announced.values().forEach(sources -> sources.values().forEach(
        announcer -> announcer.repeat().onFailure(err -> log.debug("bridge routes not announced again: {}", err.getMessage())))));
  }

  /** The client's connection closed: its routes leave every gateway. */
  void closed(NetSocket socket) {
    Map<String, RouteAnnouncer> sources = announced.remove(socket);
    if (sources != null) {
      sources.values().forEach(announcer -> announcer.withdraw()
          .onFailure(err -> log.warn("bridge routes not withdrawn: {}", err.getMessage())));
    }
  }
}

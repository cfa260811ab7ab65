package dev.switchboard.shared.routes;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * What one source of routes serves, as published to every gateway on {@code Addresses.ROUTES_ANNOUNCE} and kept in
 * the cluster-wide map {@code Addresses.ROUTES_MAP} for gateways that start later. A source is one consumers
 * deployment on a node, or one TCP-bridge client (then {@code node} is the node running that bridge, so the routes
 * leave with it). An announcement replaces the source's previous one when its {@code version} is higher; an empty
 * route list withdraws the source.
 *
 * <p>JSON: {@code {"node","source","version","routes":[{"kind","pattern","consumer"}, ...]}}.
 */
public record RouteAnnouncement(String node, String source, long version, List<Route> routes) {

  /** The most routes one source may announce; a larger announcement is refused. */
  public static final int MAX_ROUTES = 1000;

  public RouteAnnouncement {
    if (node == null || node.isEmpty() || source == null || source.isEmpty() || source.length() > Route.MAX_LENGTH) {
      throw new IllegalArgumentException("an announcement needs a node and a source of 1-" + Route.MAX_LENGTH + " characters");
    }
    if (routes.size() > MAX_ROUTES) {
      throw new IllegalArgumentException("an announcement has at most " + MAX_ROUTES + " routes, got " + routes.size());
    }
    routes = List.copyOf(routes);
  }

  /** The key of this source in {@code Addresses.ROUTES_MAP}. */
  public String key() {
    return key(node, source);
  }

  public static String key(String node, String source) {
    return node + "/" + source;
  }

  public boolean withdrawn() {
    return routes.isEmpty();
  }

  public JsonObject toJson() {
    return new JsonObject().put("node", node).put("source", source).put("version", version)
        .put("routes", new JsonArray(routes.stream().map(Route::toJson).toList()));
  }

  /** Reads an announcement; anything malformed fails with an {@link IllegalArgumentException} saying what. */
  public static RouteAnnouncement fromJson(Object json) {
    if (!(json instanceof JsonObject body)) {
      throw new IllegalArgumentException("an announcement must be a JSON object");
    }
    Object node = body.getValue("node");
    Object source = body.getValue("source");
    Object version = body.getValue("version", 0L);
    Object routes = body.getValue("routes");
    if (!(node instanceof String n) || !(source instanceof String s) || !(version instanceof Number v)
        || !(routes instanceof JsonArray list)) {
      throw new IllegalArgumentException("an announcement needs string \"node\" and \"source\", a numeric \"version\""
          + " and a \"routes\" array");
    }
    if (list.size() > MAX_ROUTES) {
      throw new IllegalArgumentException("an announcement has at most " + MAX_ROUTES + " routes, got " + list.size());
    }
    List<Route> parsed = new ArrayList<>(list.size());
    for (Object route : list) {
      parsed.add(Route.fromJson(route));
    }
    return new RouteAnnouncement(n, s, v.longValue(), parsed);
  }
}

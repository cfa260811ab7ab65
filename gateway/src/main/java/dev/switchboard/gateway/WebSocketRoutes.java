package dev.switchboard.gateway;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The WebSocket route table: URL patterns such as {@code /ws/chat/:room} mapped to consumer names, like
 * Channels' {@code URLRouter}. The first pattern that matches wins; {@code :name} matches one path segment.
 */
public final class WebSocketRoutes {

  /** A matched route: its pattern (as metrics name it), the consumer to connect and the pattern's parameters. */
  public record Match(String pattern, String consumer, JsonObject params) {
  }

  private record Route(String pattern, String[] segments, String consumer) {
  }

  private final List<Route> routes = new ArrayList<>();

  /** The routes of the shipped consumers. */
  public static WebSocketRoutes shipped() {
    return new WebSocketRoutes()
        .route("/ws/echo", "echo")
        .route("/ws/chat/:room", "chat")
        .route("/ws/rooms/:room", "rooms")
        .route("/ws/tasks/:id", "tasks")
        .route("/ws/py-echo", "py-echo"); // served by clients/python/py_echo_consumer.py over the TCP bridge
  }

  public WebSocketRoutes route(String pattern, String consumer) {
    routes.add(new Route(pattern, split(pattern), consumer));
    return this;
  }

  public Optional<Match> match(String path) {
    String[] segments = split(path);
    for (Route route : routes) {
      JsonObject params = matchSegments(route.segments, segments);
      if (params != null) {
        return Optional.of(new Match(route.pattern, route.consumer, params));
      }
    }
    return Optional.empty();
  }

  private static JsonObject matchSegments(String[] pattern, String[] path) {
    if (pattern.length != path.length) {
      return null;
    }
    JsonObject params = new JsonObject();
    for (int i = 0; i < pattern.length; i++) {
      if (pattern[i].startsWith(":")) {
        if (path[i].isEmpty()) {
          return null;
        }
        params.put(pattern[i].substring(1), path[i]);
      } else if (!pattern[i].equals(path[i])) {
        return null;
      }
    }
    return params;
  }

  private static String[] split(String path) {
    String trimmed = path.endsWith("/") && path.length() > 1 ? path.substring(0, path.length() - 1) : path;
    return trimmed.split("/", -1);
  }
}

package dev.switchboard.shared.routes;

import io.vertx.core.json.JsonObject;
import java.util.Locale;

/**
 * One route a node serves: a URL pattern ({@code /ws/chat/:room}, {@code :name} matching one path segment) of a
 * {@link Kind} mapped to a consumer name, whose shared event-bus address receives the first event of each
 * connection or request. Routes travel between nodes as JSON ({@code {"kind","pattern","consumer"}}), the same
 * from a JVM or from a client of the TCP bridge.
 */
public record Route(Kind kind, String pattern, String consumer) {

  /** Longest pattern and consumer name accepted in an announcement. */
  public static final int MAX_LENGTH = 256;

  /** What a route serves: WebSocket upgrades, or plain HTTP requests (ASGI {@code http.request}). */
  public enum Kind {
    WEBSOCKET, HTTP;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    static Kind parse(String label) {
      for (Kind kind : values()) {
        if (kind.label().equals(label)) {
          return kind;
        }
      }
      throw new IllegalArgumentException("route kind must be \"websocket\" or \"http\", got \"" + label + "\"");
    }
  }

  /** Checks the pattern and the name; an invalid route fails with an {@link IllegalArgumentException} saying why. */
  public Route {
    if (kind == null) {
      throw new IllegalArgumentException("route kind is missing");
    }
    RoutePattern.compile(pattern);
    if (consumer == null || consumer.isEmpty() || consumer.length() > MAX_LENGTH || !consumer.matches("[A-Za-z0-9_.\\-]+")) {
      throw new IllegalArgumentException("consumer name must be 1-" + MAX_LENGTH + " of [A-Za-z0-9_.-], got \"" + consumer + "\"");
    }
  }

  public static Route websocket(String pattern, String consumer) {
    return new Route(Kind.WEBSOCKET, pattern, consumer);
  }

  public static Route http(String pattern, String consumer) {
    return new Route(Kind.HTTP, pattern, consumer);
  }

  public JsonObject toJson() {
    return new JsonObject().put("kind", kind.label()).put("pattern", pattern).put("consumer", consumer);
  }

  /** Reads a route; anything malformed fails with an {@link IllegalArgumentException}. */
  public static Route fromJson(Object json) {
    if (!(json instanceof JsonObject route)) {
      throw new IllegalArgumentException("a route must be an object {\"kind\",\"pattern\",\"consumer\"}");
    }
    Object kind = route.getValue("kind");
    Object pattern = route.getValue("pattern");
    Object consumer = route.getValue("consumer");
    if (!(kind instanceof String k) || !(pattern instanceof String p) || !(consumer instanceof String c)) {
      throw new IllegalArgumentException("a route needs string \"kind\", \"pattern\" and \"consumer\": " + route.encode());
    }
    return new Route(Kind.parse(k), p, c);
  }
}

package dev.switchboard.shared.routes;

import io.vertx.core.json.JsonObject;

/**
 * A compiled URL pattern, like Channels' {@code URLRouter} entries: literal segments match themselves and
 * {@code :name} matches one non-empty segment, captured (percent-decoded) as a parameter; a trailing slash is ignored.
 */
public final class RoutePattern {

  private final String pattern;
  private final String[] segments;
  private final int literals;

  private RoutePattern(String pattern, String[] segments) {
    this.pattern = pattern;
    this.segments = segments;
    int count = 0;
    for (String segment : segments) {
      if (!segment.startsWith(":")) {
        count++;
      }
    }
    this.literals = count;
  }

  /** Compiles {@code pattern}; fails with an {@link IllegalArgumentException} saying what is wrong with it. */
  public static RoutePattern compile(String pattern) {
    if (pattern == null || !pattern.startsWith("/") || pattern.length() > Route.MAX_LENGTH) {
      throw new IllegalArgumentException("a route pattern starts with / and has at most " + Route.MAX_LENGTH
          + " characters, got \"" + pattern + "\"");
    }
    if (pattern.contains("?") || pattern.contains("#") || pattern.contains("//") || pattern.contains("*")) {
      throw new IllegalArgumentException("a route pattern is a path of literal and :name segments, got \"" + pattern + "\"");
    }
    String[] segments = split(pattern);
    for (int i = 1; i < segments.length; i++) {
      if (segments[i].equals(":")) {
        throw new IllegalArgumentException("a :name segment needs a name, in \"" + pattern + "\"");
      }
    }
    return new RoutePattern(pattern, segments);
  }

  public String pattern() {
    return pattern;
  }

  /**
   * How specific the pattern is: its number of literal segments. Where two patterns match one path, the more
   * specific wins ({@code /api/rooms/stats} over {@code /api/rooms/:room}).
   */
  public int specificity() {
    return literals;
  }

  /** The parameters when {@code path} matches, else null. */
  public JsonObject match(String path) {
    String[] parts = split(path);
    if (parts.length != segments.length) {
      return null;
    }
    JsonObject params = new JsonObject();
    for (int i = 0; i < segments.length; i++) {
      if (segments[i].startsWith(":")) {
        if (parts[i].isEmpty()) {
          return null;
        }
        params.put(segments[i].substring(1), decode(parts[i]));
      } else if (!segments[i].equals(parts[i])) {
        return null;
      }
    }
    return params;
  }

  /** A path segment's percent-encoding undone ({@code +} stays a plus in a path); a malformed one is kept as is. */
  private static String decode(String segment) {
    if (segment.indexOf('%') < 0) {
      return segment;
    }
    try {
      return java.net.URLDecoder.decode(segment.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return segment;
    }
  }

  private static String[] split(String path) {
    String trimmed = path.endsWith("/") && path.length() > 1 ? path.substring(0, path.length() - 1) : path;
    return trimmed.split("/", -1);
  }
}

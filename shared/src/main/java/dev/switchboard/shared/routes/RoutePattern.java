package dev.switchboard.shared.routes;

import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A compiled URL pattern, like Channels' {@code URLRouter} entries: literal segments match themselves and
 * {@code :name} matches one non-empty segment, captured (percent-decoded) as a parameter; a trailing slash in a
 * path is ignored. The one check of a pattern, for apps' declarations and nodes' announcements alike.
 */
public final class RoutePattern {

  private static final Pattern LITERAL = Pattern.compile("[A-Za-z0-9._~-]+");
  private static final Pattern PARAM = Pattern.compile(":[A-Za-z_][A-Za-z0-9_]*");

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
    String problem = problem(pattern);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    return new RoutePattern(pattern, split(pattern));
  }

  /**
   * What is wrong with {@code pattern}, or null: {@code /} then segments that are literal or {@code :name}
   * parameters, each parameter once, at most {@link Route#MAX_LENGTH} characters.
   */
  public static String problem(String pattern) {
    if (pattern == null || !pattern.startsWith("/")) {
      return "expected a path starting with '/'";
    }
    if (pattern.length() > Route.MAX_LENGTH) {
      return "longer than " + Route.MAX_LENGTH + " characters";
    }
    if (pattern.equals("/")) {
      return null;
    }
    Set<String> params = new HashSet<>();
    for (String segment : pattern.substring(1).split("/", -1)) {
      if (segment.isEmpty()) {
        return "empty segment (\"//\" or a trailing '/')";
      }
      if (segment.startsWith(":")) {
        if (!PARAM.matcher(segment).matches()) {
          return "parameter \"" + segment + "\" must be ':' then a Java-style name";
        }
        if (!params.add(segment)) {
          return "parameter \"" + segment + "\" appears twice";
        }
      } else if (!LITERAL.matcher(segment).matches()) {
        return "segment \"" + segment + "\" has characters other than letters, digits, '.', '_', '~' or '-'";
      }
    }
    return null;
  }

  /**
   * The pattern with parameter names erased ({@code /ws/chat/:room} → {@code /ws/chat/:}): two patterns of one
   * shape match the same paths, so they conflict.
   */
  public static String shape(String pattern) {
    return pattern.replaceAll(":[A-Za-z0-9_]+", ":");
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

  /** Whether some path matches both this pattern and {@code other}. */
  public boolean overlaps(RoutePattern other) {
    if (segments.length != other.segments.length) {
      return false;
    }
    for (int i = 0; i < segments.length; i++) {
      if (!segments[i].startsWith(":") && !other.segments[i].startsWith(":") && !segments[i].equals(other.segments[i])) {
        return false;
      }
    }
    return true;
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

package dev.switchboard.shared.apps;

import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks an app's URL patterns at load time: {@code /} then segments that are literal or {@code :name} parameters.
 * Two patterns that differ only in their parameter names match the same paths: {@link #shape} is what they share.
 */
public final class RoutePattern {

  private static final Pattern LITERAL = Pattern.compile("[A-Za-z0-9._~-]+");
  private static final Pattern PARAM = Pattern.compile(":[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern CONSUMER = Pattern.compile("[A-Za-z0-9._-]{1,100}");

  private RoutePattern() {
  }

  /** Returns {@code pattern}, or throws an AppException saying what is wrong with it. */
  public static String require(String app, String pattern) {
    String problem = problem(pattern);
    if (problem != null) {
      throw new AppException("app " + app + ": bad route pattern \"" + pattern + "\": " + problem);
    }
    return pattern;
  }

  /** Returns {@code name}, or throws an AppException: consumer names become event-bus addresses. */
  public static String requireConsumer(String app, String pattern, String name) {
    if (name == null || !CONSUMER.matcher(name).matches()) {
      throw new AppException("app " + app + ": bad consumer name \"" + name + "\" for route " + pattern
          + ": expected 1 to 100 ASCII letters, digits, '.', '_' or '-'");
    }
    return name;
  }

  /** The pattern with parameter names erased: {@code /ws/chat/:room} → {@code /ws/chat/:}. */
  public static String shape(String pattern) {
    return pattern.replaceAll(":[A-Za-z0-9_]+", ":");
  }

  private static String problem(String pattern) {
    if (pattern == null || !pattern.startsWith("/")) {
      return "expected a path starting with '/'";
    }
    if (pattern.equals("/")) {
      return null;
    }
    String[] segments = pattern.substring(1).split("/", -1);
    Set<String> params = new HashSet<>();
    for (String segment : segments) {
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
}

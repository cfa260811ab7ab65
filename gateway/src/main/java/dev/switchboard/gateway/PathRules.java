package dev.switchboard.gateway;

import java.util.ArrayList;
import java.util.List;

/**
 * Which paths need a token once a JWT key is configured: all of them, except those under a public entry, unless a
 * longer protect entry closes them again. Entries match whole path segments ({@code /api/tasks} and
 * {@code /api/tasks/} both cover {@code /api/tasks} and {@code /api/tasks/42}, never {@code /api/tasksx}); an entry
 * without a leading slash is a name ({@code tcp-bridge}) and matches only itself. The longest matching entry
 * decides; on a tie, protect wins.
 */
final class PathRules {

  private record Rule(String prefix, boolean open) {
  }

  private final List<Rule> rules = new ArrayList<>();

  PathRules(List<String> protect, List<String> publicPaths) {
    protect.forEach(entry -> rules.add(new Rule(trim(entry), false)));
    publicPaths.forEach(entry -> rules.add(new Rule(trim(entry), true)));
  }

  /** Whether {@code path} (or a name) needs a token. */
  boolean protects(String path) {
    String target = trim(path);
    Rule best = null;
    for (Rule rule : rules) {
      if (covers(rule.prefix, target) && (best == null || rule.prefix.length() > best.prefix.length()
          || rule.prefix.length() == best.prefix.length() && !rule.open)) {
        best = rule;
      }
    }
    return best == null || !best.open;
  }

  private static boolean covers(String prefix, String path) {
    if (!prefix.startsWith("/")) {
      return prefix.equals(path);
    }
    return path.equals(prefix) || prefix.equals("/") || path.startsWith(prefix + "/");
  }

  private static String trim(String entry) {
    String trimmed = entry.trim();
    while (trimmed.length() > 1 && trimmed.endsWith("/")) {
      trimmed = trimmed.substring(0, trimmed.length() - 1);
    }
    return trimmed;
  }
}

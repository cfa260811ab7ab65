package dev.switchboard.api.tasks;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * At most {@code count} starts of one task name per {@code windowMs}, across every worker (a counter per window
 * in Redis). Tasks over the limit are not failed: they wait in the delayed set for the next window.
 */
public record RateLimit(int count, long windowMs) {

  private static final Pattern FORMAT = Pattern.compile("(\\d+)\\s*/\\s*(s|m|h)");

  public RateLimit {
    if (count < 1 || windowMs < 1) {
      throw new IllegalArgumentException("rate limit needs count >= 1 and window >= 1 ms, got " + count + "/" + windowMs);
    }
  }

  /** Celery's notation: {@code "10/s"}, {@code "100/m"}, {@code "1000/h"}. */
  public static RateLimit parse(String text) {
    Matcher match = FORMAT.matcher(text.trim());
    if (!match.matches()) {
      throw new IllegalArgumentException("rate limit \"" + text + "\": expected N/s, N/m or N/h");
    }
    long window = switch (match.group(2)) {
      case "s" -> 1_000;
      case "m" -> 60_000;
      default -> 3_600_000;
    };
    return new RateLimit(Integer.parseInt(match.group(1)), window);
  }
}

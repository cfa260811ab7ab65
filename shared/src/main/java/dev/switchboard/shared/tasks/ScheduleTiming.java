package dev.switchboard.shared.tasks;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * When a periodic task's occurrences fall: every fixed interval (on its multiples since the epoch, so that every node
 * computes the same instants without shared state) or on a standard 5-field cron expression read in a time zone
 * (cron-utils' UNIX definition, daylight saving included). Immutable; parsing fails with an
 * {@link IllegalArgumentException} whose message says what was expected.
 */
public final class ScheduleTiming {

  public static final Duration MIN_EVERY = Duration.ofMillis(100);
  public static final Duration MAX_EVERY = Duration.ofDays(366);
  private static final Pattern INTERVAL = Pattern.compile("(\\d{1,12})(ms|s|m|h|d)");
  private static final CronParser CRON = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

  /** The occurrences due in a window, oldest first, and whether older ones were left out to respect the bound. */
  public record Due(List<Instant> occurrences, boolean truncated) {
  }

  private final long everyMs;
  private final ExecutionTime cron;
  private final ZoneId zone;

  private ScheduleTiming(long everyMs, ExecutionTime cron, ZoneId zone) {
    this.everyMs = everyMs;
    this.cron = cron;
    this.zone = zone;
  }

  /** {@code 500ms}, {@code 10s}, {@code 5m}, {@code 2h}, {@code 1d}: between 100 ms and 366 days. */
  public static ScheduleTiming every(String text) {
    Matcher matcher = INTERVAL.matcher(text == null ? "" : text.trim());
    if (!matcher.matches()) {
      throw new IllegalArgumentException("every: expected a number and a unit (ms, s, m, h, d) such as \"10s\", got \""
          + text + "\"");
    }
    long amount = Long.parseLong(matcher.group(1));
    Duration every = switch (matcher.group(2)) {
      case "ms" -> Duration.ofMillis(amount);
      case "s" -> Duration.ofSeconds(amount);
      case "m" -> Duration.ofMinutes(amount);
      case "h" -> Duration.ofHours(amount);
      default -> Duration.ofDays(amount);
    };
    if (every.compareTo(MIN_EVERY) < 0 || every.compareTo(MAX_EVERY) > 0) {
      throw new IllegalArgumentException("every: expected 100ms to 366d, got \"" + text + "\"");
    }
    return new ScheduleTiming(every.toMillis(), null, ZoneOffset.UTC);
  }

  /**
   * A 5-field cron expression (minute hour day-of-month month day-of-week; lists, ranges, steps, names such as
   * {@code MON} and {@code JAN}) read in {@code tz}, an IANA zone id ({@code Europe/Paris}) or null for UTC.
   */
  public static ScheduleTiming cron(String expression, String tz) {
    ZoneId zone = zone(tz);
    if (expression == null || expression.isBlank()) {
      throw new IllegalArgumentException("cron: expected 5 fields (minute hour day-of-month month day-of-week), got \""
          + expression + "\"");
    }
    ExecutionTime execution;
    try {
      execution = ExecutionTime.forCron(CRON.parse(expression.trim()).validate());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("cron: \"" + expression + "\" is not a 5-field cron expression (minute hour "
          + "day-of-month month day-of-week): " + e.getMessage(), e);
    }
    ScheduleTiming timing = new ScheduleTiming(0, execution, zone);
    if (timing.nextAfter(Instant.now()) == null) {
      throw new IllegalArgumentException("cron: \"" + expression + "\" never fires");
    }
    return timing;
  }

  private static ZoneId zone(String tz) {
    if (tz == null) {
      return ZoneOffset.UTC;
    }
    try {
      return ZoneId.of(tz);
    } catch (DateTimeException e) {
      throw new IllegalArgumentException("tz: expected a time zone such as \"Europe/Paris\" or \"UTC\", got \"" + tz + "\"");
    }
  }

  /** The first occurrence strictly after {@code t}, or null when there is none. */
  public Instant nextAfter(Instant t) {
    if (cron == null) {
      long ms = t.toEpochMilli();
      return Instant.ofEpochMilli(Math.floorDiv(ms, everyMs) * everyMs + everyMs);
    }
    // cron-utils counts in whole seconds: from the start of t's second, a match in that very second is not after t
    ZonedDateTime from = t.atZone(zone);
    Optional<ZonedDateTime> next = cron.nextExecution(from.withNano(0));
    return next.map(ZonedDateTime::toInstant).orElse(null);
  }

  /**
   * The occurrences in {@code (after, upTo]}, oldest first: the newest {@code max} of them when there are more (a
   * scheduler that was down for long catches up on a bounded number, and says so).
   */
  public Due due(Instant after, Instant upTo, int max) {
    if (!upTo.isAfter(after)) {
      return new Due(List.of(), false);
    }
    if (cron == null) {
      long first = Math.floorDiv(after.toEpochMilli(), everyMs) * everyMs + everyMs;
      long last = Math.floorDiv(upTo.toEpochMilli(), everyMs) * everyMs;
      if (last < first) {
        return new Due(List.of(), false);
      }
      long start = Math.max(first, last - (long) (max - 1) * everyMs);
      List<Instant> occurrences = new ArrayList<>();
      for (long at = start; at <= last; at += everyMs) {
        occurrences.add(Instant.ofEpochMilli(at));
      }
      return new Due(occurrences, start > first);
    }
    // backwards from upTo: a long outage costs at most max steps, never one step per missed minute
    List<Instant> newestFirst = new ArrayList<>();
    ZonedDateTime cursor = upTo.atZone(zone).withNano(0).plusSeconds(1);
    boolean truncated = false;
    while (true) {
      Optional<ZonedDateTime> previous = cron.lastExecution(cursor);
      if (previous.isEmpty() || !previous.get().toInstant().isAfter(after)) {
        break;
      }
      if (newestFirst.size() == max) {
        truncated = true;
        break;
      }
      newestFirst.add(previous.get().toInstant());
      cursor = previous.get();
    }
    Collections.reverse(newestFirst);
    return new Due(newestFirst, truncated);
  }
}

package dev.switchboard.shared.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.api.tasks.PeriodicTask;
import dev.switchboard.api.tasks.TaskException;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Periodic task timing: intervals on their multiples, 5-field cron in a time zone, checked definitions")
class ScheduleTimingTest {

  private static Instant at(String iso) {
    return Instant.parse(iso);
  }

  @Test
  @DisplayName("every: ms, s, m, h, d; occurrences on multiples since the epoch, strictly after")
  void intervals() {
    assertEquals(at("2026-12-02T10:00:10Z"), ScheduleTiming.every("10s").nextAfter(at("2026-12-02T10:00:00Z")));
    assertEquals(at("2026-12-02T10:00:10Z"), ScheduleTiming.every("10s").nextAfter(at("2026-12-02T10:00:09.999Z")));
    assertEquals(at("2026-12-02T10:00:00.500Z"), ScheduleTiming.every("500ms").nextAfter(at("2026-12-02T10:00:00.001Z")));
    assertEquals(at("2026-12-02T10:05:00Z"), ScheduleTiming.every("5m").nextAfter(at("2026-12-02T10:01:00Z")));
    assertEquals(at("2026-12-02T12:00:00Z"), ScheduleTiming.every("2h").nextAfter(at("2026-12-02T10:00:00Z")));
    assertEquals(at("2026-12-03T00:00:00Z"), ScheduleTiming.every("1d").nextAfter(at("2026-12-02T10:00:00Z")));
  }

  @Test
  @DisplayName("due: the occurrences in (after, upTo], the newest ones when more than the bound")
  void dueIntervals() {
    ScheduleTiming every = ScheduleTiming.every("1s");
    ScheduleTiming.Due due = every.due(at("2026-12-02T10:00:00.300Z"), at("2026-12-02T10:00:03Z"), 10);
    assertEquals(List.of(at("2026-12-02T10:00:01Z"), at("2026-12-02T10:00:02Z"), at("2026-12-02T10:00:03Z")), due.occurrences());
    assertFalse(due.truncated());
    ScheduleTiming.Due bounded = every.due(at("2026-12-02T09:00:00Z"), at("2026-12-02T10:00:00Z"), 2);
    assertEquals(List.of(at("2026-12-02T09:59:59Z"), at("2026-12-02T10:00:00Z")), bounded.occurrences());
    assertTrue(bounded.truncated());
    assertEquals(List.of(), every.due(at("2026-12-02T10:00:00Z"), at("2026-12-02T10:00:00.999Z"), 10).occurrences());
  }

  @Test
  @DisplayName("cron: steps, ranges, names; strictly after; the newest occurrences backwards when bounded")
  void cron() {
    ScheduleTiming fiveMinutes = ScheduleTiming.cron("*/5 * * * *", null);
    assertEquals(at("2026-12-02T10:05:00Z"), fiveMinutes.nextAfter(at("2026-12-02T10:00:00Z")));
    assertEquals(at("2026-12-02T10:00:00Z"), fiveMinutes.nextAfter(at("2026-12-02T09:59:59.999Z")));
    assertEquals(at("2026-12-02T10:05:00Z"), fiveMinutes.nextAfter(at("2026-12-02T10:00:00.001Z")));
    ScheduleTiming.Due due = fiveMinutes.due(at("2026-12-02T10:00:00Z"), at("2026-12-02T10:15:00Z"), 10);
    assertEquals(List.of(at("2026-12-02T10:05:00Z"), at("2026-12-02T10:10:00Z"), at("2026-12-02T10:15:00Z")), due.occurrences());
    ScheduleTiming.Due bounded = fiveMinutes.due(at("2026-11-02T10:00:00Z"), at("2026-12-02T10:14:59Z"), 2);
    assertEquals(List.of(at("2026-12-02T10:05:00Z"), at("2026-12-02T10:10:00Z")), bounded.occurrences());
    assertTrue(bounded.truncated());
    // weekdays at 09:00, by name: Wednesday 2 December 2026 → Thursday
    assertEquals(at("2026-12-03T09:00:00Z"), ScheduleTiming.cron("0 9 * * MON-FRI", "UTC").nextAfter(at("2026-12-02T09:00:00Z")));
    // Friday → Monday
    assertEquals(at("2026-12-07T09:00:00Z"), ScheduleTiming.cron("0 9 * * 1-5", null).nextAfter(at("2026-12-04T09:30:00Z")));
  }

  @Test
  @DisplayName("cron in a time zone follows daylight saving: 09:00 in Paris is 07:00Z in summer, 08:00Z in winter")
  void timeZones() {
    ScheduleTiming paris = ScheduleTiming.cron("0 9 * * *", "Europe/Paris");
    // winter (UTC+1)
    assertEquals(at("2026-12-02T08:00:00Z"), paris.nextAfter(at("2026-12-02T07:00:00Z")));
    // summer (UTC+2)
    assertEquals(at("2026-07-01T07:00:00Z"), paris.nextAfter(at("2026-07-01T06:00:00Z")));
    // across the change of 29 March 2026 (02:00 → 03:00): the 28th at 08:00Z, the 29th at 07:00Z
    ScheduleTiming.Due across = paris.due(at("2026-03-28T00:00:00Z"), at("2026-03-29T23:00:00Z"), 10);
    assertEquals(List.of(at("2026-03-28T08:00:00Z"), at("2026-03-29T07:00:00Z")), across.occurrences());
    ScheduleTiming newYork = ScheduleTiming.cron("30 17 * * *", "America/New_York");
    assertEquals(at("2026-12-02T22:30:00Z"), newYork.nextAfter(at("2026-12-02T12:00:00Z")));
  }

  @Test
  @DisplayName("bad intervals, cron expressions and time zones fail with a message naming the field")
  void badInput() {
    for (String bad : new String[] {"", "10", "10 s", "ten s", "10w", "50ms", "367d", "-1s"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ScheduleTiming.every(bad), bad);
      assertTrue(e.getMessage().startsWith("every:"), e.getMessage());
    }
    for (String bad : new String[] {"", "* * * *", "61 * * * *", "* 25 * * *", "* * * * * *", "hello", "*/0 * * * *"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ScheduleTiming.cron(bad, null), bad);
      assertTrue(e.getMessage().startsWith("cron:"), e.getMessage());
    }
    IllegalArgumentException zone = assertThrows(IllegalArgumentException.class, () -> ScheduleTiming.cron("* * * * *", "Mars/Olympus"));
    assertTrue(zone.getMessage().startsWith("tz:"), zone.getMessage());
  }

  @Test
  @DisplayName("a schedule definition: unknown fields, wrong types, both or neither of every and cron, own options refused")
  void definitions() {
    Schedule ok = Schedule.of(PeriodicTask.cron("report", "0 9 * * 1-5", "add").withArgs(1, 2).inZone("Europe/Paris"));
    assertEquals("report:2026-12-02T08:00:00Z", ok.taskId(at("2026-12-02T08:00:00Z")));
    assertEquals(ok.toJson(), Schedule.fromJson(ok.toJson()).toJson());
    String[] bad = {
        "{\"name\":\"a\",\"task\":\"add\",\"every\":\"1s\",\"color\":1}",
        "{\"name\":\"a\",\"task\":\"add\"}",
        "{\"name\":\"a\",\"task\":\"add\",\"every\":\"1s\",\"cron\":\"* * * * *\"}",
        "{\"name\":\"a\",\"task\":\"add\",\"every\":1}",
        "{\"name\":\"a\",\"task\":\"add\",\"every\":\"1s\",\"args\":{}}",
        "{\"name\":\"a\",\"task\":\"add\",\"every\":\"1s\",\"kwargs\":[]}",
        "{\"name\":\"a b\",\"task\":\"add\",\"every\":\"1s\"}",
        "{\"task\":\"add\",\"every\":\"1s\"}",
        "{\"name\":\"a\",\"every\":\"1s\"}",
        "{\"name\":\"a\",\"task\":\"add\",\"every\":\"1s\",\"options\":{\"task_id\":\"x\"}}",
        "{\"name\":\"a\",\"task\":\"add\",\"every\":\"1s\",\"options\":{\"colour\":1}}",
        "{\"name\":\"a\",\"task\":\"add\",\"every\":\"1s\",\"tz\":\"UTC\"}",
        "{\"name\":\"a\",\"task\":\"add\",\"cron\":\"* * * * *\",\"tz\":\"Nowhere/Else\"}",
    };
    for (String json : bad) {
      TaskException e = assertThrows(TaskException.class, () -> Schedule.fromJson(new JsonObject(json)), json);
      assertEquals(TaskException.Reason.INVALID_REQUEST, e.reason(), json);
    }
  }
}

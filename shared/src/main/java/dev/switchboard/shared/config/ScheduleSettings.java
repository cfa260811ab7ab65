package dev.switchboard.shared.config;

import io.vertx.core.json.JsonObject;

/**
 * The {@code schedules} config section: periodic tasks (Celery beat).
 *
 * @param max     how many schedules Redis holds at most; adding one more is refused with 400
 * @param tickMs  how often the leading worker's scheduler looks at the schedules (it also wakes for each occurrence
 *                due sooner) and renews its lease; a lease lasts {@link #leaseMs()}, and the other workers try to take
 *                it twice a tick, so a leader killed -9 is replaced within two ticks
 * @param catchUp how many missed occurrences of one schedule a new leader sends at most (the newest ones), after all
 *                schedulers were down
 */
public record ScheduleSettings(int max, int tickMs, int catchUp) {

  static ScheduleSettings fromJson(JsonObject root) {
    Settings schedules = new Settings(root, "schedules");
    return new ScheduleSettings(
        schedules.integer("max", 1000, 1, 100_000),
        schedules.integer("tickMs", 1000, 50, 60_000),
        schedules.integer("catchUp", 100, 1, 10_000));
  }

  /** How long a leader's lease lasts without renewal: one and a half ticks. */
  public int leaseMs() {
    return tickMs + tickMs / 2;
  }

  void writeTo(JsonObject root) {
    root.put("schedules", new JsonObject().put("max", max).put("tickMs", tickMs).put("catchUp", catchUp));
  }
}

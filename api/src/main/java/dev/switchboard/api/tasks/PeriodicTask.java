package dev.switchboard.api.tasks;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A task sent on a schedule, Celery beat's entry and BullMQ's job scheduler: {@code task(*args, **kwargs)} with
 * {@code options} (Celery's names, as in {@code POST /api/tasks}: {@code queue}, {@code priority}, {@code expires},
 * {@code max_retries}, ...), either {@link #every} interval or on a {@link #cron} expression. The same shape as the
 * body of {@code POST /api/schedules} ({@link #toJson()}). Immutable; chain the {@code with*} methods.
 *
 * <p>Each occurrence is sent once, by whichever worker leads the schedulers at the time, with the task id
 * {@code <name>:<occurrence instant>} (for example {@code reports.hourly:2026-12-02T09:00:00Z}), so it is
 * never sent twice. A node checks the declaration when the app loads; a bad interval, cron expression or time zone
 * stops it with a message.
 *
 * @param name    the schedule's name, 1 to 96 of {@code [A-Za-z0-9_.-]}; declaring a name again replaces it
 * @param task    the task's registered name
 * @param args    positional arguments, never null
 * @param kwargs  keyword arguments, never null
 * @param options the options of each task sent (not {@code task_id} nor {@code eta}), never null
 * @param every   an interval, {@code 500ms}, {@code 10s}, {@code 5m}, {@code 2h} or {@code 1d} (at least 100 ms);
 *                occurrences fall on its multiples since the epoch ({@code 10s}: :00, :10, :20, ...); or null
 * @param cron    a standard 5-field cron expression (minute hour day-of-month month day-of-week), or null
 * @param tz      the time zone a cron expression is read in ({@code Europe/Paris}); null means UTC
 */
public record PeriodicTask(String name, String task, JsonArray args, JsonObject kwargs, JsonObject options,
                           String every, String cron, String tz) {

  public PeriodicTask {
    args = args == null ? new JsonArray() : args.copy();
    kwargs = kwargs == null ? new JsonObject() : kwargs.copy();
    options = options == null ? new JsonObject() : options.copy();
  }

  /** {@code task()} every {@code interval} ({@code "10s"}), no arguments. */
  public static PeriodicTask every(String name, String interval, String task) {
    return new PeriodicTask(name, task, null, null, null, interval, null, null);
  }

  /** {@code task()} on the cron expression {@code expression} ({@code "0 9 * * 1-5"}) in UTC, no arguments. */
  public static PeriodicTask cron(String name, String expression, String task) {
    return new PeriodicTask(name, task, null, null, null, null, expression, null);
  }

  public PeriodicTask withArgs(Object... values) {
    return new PeriodicTask(name, task, new JsonArray(java.util.List.of(values)), kwargs, options, every, cron, tz);
  }

  public PeriodicTask withKwargs(JsonObject values) {
    return new PeriodicTask(name, task, args, values, options, every, cron, tz);
  }

  /** Options in the JSON shape of {@code POST /api/tasks}, for example {@code {"queue": "reports", "expires": 60}}. */
  public PeriodicTask withOptions(JsonObject values) {
    return new PeriodicTask(name, task, args, kwargs, values, every, cron, tz);
  }

  /** The time zone ({@code "Europe/Paris"}) the cron expression is read in, daylight saving included. */
  public PeriodicTask inZone(String zone) {
    return new PeriodicTask(name, task, args, kwargs, options, every, cron, zone);
  }

  /** The body of {@code POST /api/schedules} that declares the same schedule. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("name", name).put("task", task).put("args", args.copy())
        .put("kwargs", kwargs.copy()).put("options", options.copy());
    if (every != null) {
      json.put("every", every);
    }
    if (cron != null) {
      json.put("cron", cron);
    }
    if (tz != null) {
      json.put("tz", tz);
    }
    return json;
  }
}

package dev.switchboard.shared.tasks;

import dev.switchboard.api.tasks.PeriodicTask;
import dev.switchboard.api.tasks.TaskException;
import dev.switchboard.api.tasks.TaskOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One periodic task as stored in Redis and read over HTTP: {@code {"name", "task", "args", "kwargs", "options",
 * "every" | "cron", "tz"}} (the shape of {@link PeriodicTask#toJson()}), checked as a whole: unknown fields, wrong
 * types, both or neither of {@code every} and {@code cron}, a bad interval, cron expression, time zone or option fail
 * with INVALID_REQUEST and a message that names the field.
 */
public record Schedule(String name, String task, JsonArray args, JsonObject kwargs, JsonObject options,
                       String every, String cron, String tz, ScheduleTiming timing) {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,96}");
  private static final Set<String> FIELDS = Set.of("name", "task", "args", "kwargs", "options", "every", "cron", "tz");
  /** Options a schedule sets itself for each occurrence. */
  private static final Set<String> OWN_OPTIONS = Set.of("task_id", "eta");

  /** Reads and checks a schedule; fails with INVALID_REQUEST naming what is wrong. */
  public static Schedule fromJson(JsonObject json) {
    if (json == null) {
      throw invalid("expected a JSON object {\"name\", \"task\", \"every\" or \"cron\", ...}");
    }
    for (String key : json.fieldNames()) {
      if (!FIELDS.contains(key)) {
        throw invalid("unknown field \"" + key + "\", expected " + List.copyOf(new java.util.TreeSet<>(FIELDS)));
      }
    }
    String name = string(json, "name", true);
    if (!NAME.matcher(name).matches()) {
      throw invalid("name: expected 1 to 96 of [A-Za-z0-9_.-], got \"" + name + "\"");
    }
    String task = string(json, "task", true);
    JsonArray args = typed(json, "args", JsonArray.class, "an array", new JsonArray());
    JsonObject kwargs = typed(json, "kwargs", JsonObject.class, "an object", new JsonObject());
    JsonObject options = typed(json, "options", JsonObject.class, "an object", new JsonObject());
    for (String own : OWN_OPTIONS) {
      if (options.containsKey(own)) {
        throw invalid("options: \"" + own + "\" is set by the schedule for each occurrence");
      }
    }
    TaskOptions.fromJson(options);
    String every = string(json, "every", false);
    String cron = string(json, "cron", false);
    String tz = string(json, "tz", false);
    if ((every == null) == (cron == null)) {
      throw invalid("expected exactly one of \"every\" (\"10s\") and \"cron\" (\"*/5 * * * *\")");
    }
    if (every != null && tz != null) {
      throw invalid("tz: applies to \"cron\" only (an \"every\" interval is the same in every zone)");
    }
    ScheduleTiming timing;
    try {
      timing = every != null ? ScheduleTiming.every(every) : ScheduleTiming.cron(cron, tz);
    } catch (IllegalArgumentException e) {
      throw invalid(e.getMessage());
    }
    return new Schedule(name, task, args, kwargs, options, every, cron, tz, timing);
  }

  public static Schedule of(PeriodicTask declared) {
    return fromJson(declared.toJson());
  }

  /** What is stored and shown: the fields of {@link #fromJson}, absent ones left out. */
  public JsonObject toJson() {
    return new PeriodicTask(name, task, args, kwargs, options, every, cron, tz).toJson();
  }

  /** The id of the task sent for {@code occurrence}: the same on every node, so an occurrence is sent once. */
  public String taskId(Instant occurrence) {
    return name + ":" + occurrence;
  }

  /** The options of the task sent for {@code occurrence}. */
  public TaskOptions optionsFor(Instant occurrence) {
    return TaskOptions.fromJson(options).withTaskId(taskId(occurrence));
  }

  private static TaskException invalid(String message) {
    return new TaskException(TaskException.Reason.INVALID_REQUEST, message);
  }

  private static String string(JsonObject json, String key, boolean required) {
    Object value = json.getValue(key);
    if (value == null) {
      if (required) {
        throw invalid(key + ": required");
      }
      return null;
    }
    if (!(value instanceof String text) || text.isBlank()) {
      throw invalid(key + ": expected a non-empty string, got " + value);
    }
    return text;
  }

  private static <T> T typed(JsonObject json, String key, Class<T> type, String what, T absent) {
    Object value = json.getValue(key);
    if (value == null) {
      return absent;
    }
    if (!type.isInstance(value)) {
      throw invalid(key + ": expected " + what + ", got " + value);
    }
    return type.cast(value);
  }
}

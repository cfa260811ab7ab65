package dev.switchboard.api.tasks;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * How to run one task call, Celery's {@code apply_async} options. Immutable; start from {@link #defaults()}
 * and chain the {@code with*} methods. Times are absolute once the call is enqueued: a countdown becomes an
 * ETA, a relative expiry an absolute one.
 *
 * <ul>
 *   <li>{@code eta}: not before this instant (a countdown is {@code now + countdown}); until then the task
 *       waits in Redis' delayed set, not in the stream, so it runs once however long the wait.
 *   <li>{@code expires}: a task not started by then is revoked instead of run.
 *   <li>{@code maxRetries}, {@code retryBackoff}, {@code retryBackoffMax}, {@code retryJitter}, {@code retryOn}:
 *       a failed attempt whose exception is (a subclass of) one of {@code retryOn}, or any exception when
 *       {@code retryOn} is empty, is retried up to {@code maxRetries} times after
 *       {@code min(retryBackoffMax, retryBackoff * 2^retries)}, with jitter drawing from the upper half.
 *   <li>{@code softTimeLimit}: the task is told (context flag, thread interrupt for blocking tasks);
 *       {@code timeLimit}: the attempt fails with {@code TimeLimitExceeded}.
 *   <li>{@code queue} and {@code priority} (0–9, 9 first): which stream, and which of its priority levels.
 *   <li>{@code taskId}: a caller-chosen id; enqueueing an id that exists is a no-op (idempotent).
 *   <li>{@code maxDeliveries}: a task whose worker was lost that many times (killed mid-task) ends FAILURE
 *       {@code WorkerLost} instead of being delivered again (a poison task must not kill every worker).
 *   <li>{@code ignoreResult}: the outcome's state is recorded, its value is not (nothing to store or send).
 * </ul>
 */
public record TaskOptions(
    Instant eta,
    Duration countdown,
    Instant expiresAt,
    Duration expiresIn,
    int maxRetries,
    Duration retryBackoff,
    Duration retryBackoffMax,
    boolean retryJitter,
    List<String> retryOn,
    Duration softTimeLimit,
    Duration timeLimit,
    String queue,
    int priority,
    String taskId,
    int maxDeliveries,
    boolean ignoreResult) {

  public static final String DEFAULT_QUEUE = "default";
  public static final int DEFAULT_PRIORITY = 5;
  public static final int MAX_PRIORITY = 9;
  public static final Duration DEFAULT_RETRY_BACKOFF = Duration.ofSeconds(1);
  public static final Duration DEFAULT_RETRY_BACKOFF_MAX = Duration.ofMinutes(10);
  /** Deliveries whose worker was lost (killed mid-task) before a task ends FAILURE {@code WorkerLost}. */
  public static final int DEFAULT_MAX_DELIVERIES = 3;
  public static final int MAX_MAX_DELIVERIES = 100;
  /** The longest countdown, expiry, backoff or time limit: far enough for any schedule, never an overflow. */
  public static final Duration MAX_DURATION = Duration.ofDays(3653);
  /** Instants must lie in years 0000 to 9999 (ISO-8601's four digits). */
  private static final Instant EARLIEST = Instant.parse("0000-01-01T00:00:00Z");
  private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");
  private static final JsonFactory STORED = new JsonFactory();
  private static final Set<String> JSON_KEYS = Set.of("countdown", "eta", "expires", "max_retries", "retry_backoff",
      "retry_backoff_max", "retry_jitter", "retry_on", "soft_time_limit", "time_limit", "queue", "priority", "task_id", "max_deliveries",
      "ignore_result");

  public TaskOptions {
    retryOn = List.copyOf(retryOn);
    if (maxRetries < 0 || maxRetries > 1000) {
      throw TaskException.invalid("max_retries: expected 0 to 1000, got " + maxRetries);
    }
    if (maxDeliveries < 1 || maxDeliveries > MAX_MAX_DELIVERIES) {
      throw TaskException.invalid("max_deliveries: expected 1 to " + MAX_MAX_DELIVERIES + ", got " + maxDeliveries);
    }
    if (priority < 0 || priority > MAX_PRIORITY) {
      throw TaskException.invalid("priority: expected 0 to " + MAX_PRIORITY + ", got " + priority);
    }
    if (!isName(queue)) {
      throw TaskException.invalid("queue: expected 1-128 of [A-Za-z0-9_.:-], got \"" + queue + "\"");
    }
    if (taskId != null && !isName(taskId)) {
      throw TaskException.invalid("task_id: expected 1-128 of [A-Za-z0-9_.:-], got \"" + taskId + "\"");
    }
    requireNonNegative("countdown", countdown);
    requireNonNegative("expires", expiresIn);
    requirePositive("retry_backoff", retryBackoff);
    requirePositive("retry_backoff_max", retryBackoffMax);
    requirePositive("soft_time_limit", softTimeLimit);
    requirePositive("time_limit", timeLimit);
    requireInRange("eta", eta);
    requireInRange("expires", expiresAt);
  }

  public static TaskOptions defaults() {
    return new TaskOptions(null, null, null, null, 0, DEFAULT_RETRY_BACKOFF, DEFAULT_RETRY_BACKOFF_MAX, true,
        List.of(), null, null, DEFAULT_QUEUE, DEFAULT_PRIORITY, null, DEFAULT_MAX_DELIVERIES, false);
  }

  public TaskOptions withCountdown(Duration value) {
    return new TaskOptions(null, value, expiresAt, expiresIn, maxRetries, retryBackoff, retryBackoffMax,
        retryJitter, retryOn, softTimeLimit, timeLimit, queue, priority, taskId, maxDeliveries, ignoreResult);
  }

  public TaskOptions withEta(Instant value) {
    return new TaskOptions(value, null, expiresAt, expiresIn, maxRetries, retryBackoff, retryBackoffMax,
        retryJitter, retryOn, softTimeLimit, timeLimit, queue, priority, taskId, maxDeliveries, ignoreResult);
  }

  public TaskOptions withExpires(Duration value) {
    return new TaskOptions(eta, countdown, null, value, maxRetries, retryBackoff, retryBackoffMax,
        retryJitter, retryOn, softTimeLimit, timeLimit, queue, priority, taskId, maxDeliveries, ignoreResult);
  }

  public TaskOptions withExpires(Instant value) {
    return new TaskOptions(eta, countdown, value, null, maxRetries, retryBackoff, retryBackoffMax,
        retryJitter, retryOn, softTimeLimit, timeLimit, queue, priority, taskId, maxDeliveries, ignoreResult);
  }

  /** Retries on any exception when {@code retryOn} stays empty. */
  public TaskOptions withRetries(int max, Duration backoff, Duration backoffMax, boolean jitter) {
    return new TaskOptions(eta, countdown, expiresAt, expiresIn, max, backoff, backoffMax,
        jitter, retryOn, softTimeLimit, timeLimit, queue, priority, taskId, maxDeliveries, ignoreResult);
  }

  /** Exception class names (simple or fully qualified) that trigger a retry; others fail at once. */
  public TaskOptions withRetryOn(List<String> exceptionTypes) {
    return new TaskOptions(eta, countdown, expiresAt, expiresIn, maxRetries, retryBackoff, retryBackoffMax,
        retryJitter, exceptionTypes, softTimeLimit, timeLimit, queue, priority, taskId, maxDeliveries, ignoreResult);
  }

  public TaskOptions withTimeLimits(Duration soft, Duration hard) {
    return new TaskOptions(eta, countdown, expiresAt, expiresIn, maxRetries, retryBackoff, retryBackoffMax,
        retryJitter, retryOn, soft, hard, queue, priority, taskId, maxDeliveries, ignoreResult);
  }

  /**
   * How many deliveries may be lost (the worker died with the task: {@code kill -9}, {@code Runtime.halt}, out of
   * memory) before the task ends FAILURE with a {@code WorkerLost} error instead of being delivered again.
   */
  public TaskOptions withMaxDeliveries(int value) {
    return new TaskOptions(eta, countdown, expiresAt, expiresIn, maxRetries, retryBackoff, retryBackoffMax,
        retryJitter, retryOn, softTimeLimit, timeLimit, queue, priority, taskId, value, ignoreResult);
  }

  /** The task's state is recorded as usual, but not its return value (Celery's {@code ignore_result}). */
  public TaskOptions withIgnoreResult(boolean value) {
    return new TaskOptions(eta, countdown, expiresAt, expiresIn, maxRetries, retryBackoff, retryBackoffMax,
        retryJitter, retryOn, softTimeLimit, timeLimit, queue, priority, taskId, maxDeliveries, value);
  }

  public TaskOptions withQueue(String value) {
    return new TaskOptions(eta, countdown, expiresAt, expiresIn, maxRetries, retryBackoff, retryBackoffMax,
        retryJitter, retryOn, softTimeLimit, timeLimit, value, priority, taskId, maxDeliveries, ignoreResult);
  }

  public TaskOptions withPriority(int value) {
    return new TaskOptions(eta, countdown, expiresAt, expiresIn, maxRetries, retryBackoff, retryBackoffMax,
        retryJitter, retryOn, softTimeLimit, timeLimit, queue, value, taskId, maxDeliveries, ignoreResult);
  }

  public TaskOptions withTaskId(String value) {
    return new TaskOptions(eta, countdown, expiresAt, expiresIn, maxRetries, retryBackoff, retryBackoffMax,
        retryJitter, retryOn, softTimeLimit, timeLimit, queue, priority, value, maxDeliveries, ignoreResult);
  }

  /** When the task may first run, in epoch milliseconds. */
  public long etaMillis(long now) {
    if (eta != null) {
      return eta.toEpochMilli();
    }
    return countdown == null ? now : now + countdown.toMillis();
  }

  /** When an unstarted task is revoked instead of run, in epoch milliseconds, or 0 for never. */
  public long expiresMillis(long now) {
    if (expiresAt != null) {
      // an instant before 1970 is long past, not "never" (0)
      return Math.max(1, expiresAt.toEpochMilli());
    }
    return expiresIn == null ? 0 : now + expiresIn.toMillis();
  }

  /**
   * Reads Celery-style JSON: {@code countdown}, {@code expires} (seconds, or an ISO-8601 instant),
   * {@code eta} (ISO-8601), {@code max_retries}, {@code retry_backoff}, {@code retry_backoff_max} (seconds),
   * {@code retry_jitter}, {@code retry_on} (names), {@code soft_time_limit}, {@code time_limit} (seconds),
   * {@code queue}, {@code priority}, {@code task_id}, {@code max_deliveries}, {@code ignore_result}. Unknown keys and wrong types fail with INVALID_REQUEST.
   */
  public static TaskOptions fromJson(JsonObject json) {
    TaskOptions options = defaults();
    if (json == null) {
      return options;
    }
    for (String key : json.fieldNames()) {
      if (!JSON_KEYS.contains(key)) {
        throw TaskException.invalid("options: unknown option \"" + key + "\", expected one of " + JSON_KEYS);
      }
    }
    try {
      if (json.containsKey("countdown")) {
        options = options.withCountdown(seconds(json, "countdown"));
      }
      if (json.containsKey("eta")) {
        options = options.withEta(Instant.parse(json.getString("eta")));
      }
      if (json.getValue("expires") instanceof String at) {
        options = options.withExpires(Instant.parse(at));
      } else if (json.containsKey("expires")) {
        options = options.withExpires(seconds(json, "expires"));
      }
      options = options.withRetries(json.getInteger("max_retries", options.maxRetries),
          json.containsKey("retry_backoff") ? seconds(json, "retry_backoff") : options.retryBackoff,
          json.containsKey("retry_backoff_max") ? seconds(json, "retry_backoff_max") : options.retryBackoffMax,
          json.getBoolean("retry_jitter", options.retryJitter));
      JsonArray retryOn = json.getJsonArray("retry_on");
      if (retryOn != null) {
        options = options.withRetryOn(retryOn.stream().map(name -> (String) name).toList());
      }
      options = options.withTimeLimits(
          json.containsKey("soft_time_limit") ? seconds(json, "soft_time_limit") : null,
          json.containsKey("time_limit") ? seconds(json, "time_limit") : null);
      return options.withQueue(json.getString("queue", DEFAULT_QUEUE))
          .withPriority(json.getInteger("priority", DEFAULT_PRIORITY))
          .withTaskId(json.getString("task_id"))
          .withMaxDeliveries(json.getInteger("max_deliveries", DEFAULT_MAX_DELIVERIES))
          .withIgnoreResult(json.getBoolean("ignore_result", false));
    } catch (ClassCastException | DateTimeParseException | NullPointerException e) {
      throw TaskException.invalid("options: wrong type or format (" + e.getMessage() + "); times are seconds, "
          + "eta/expires instants ISO-8601, retry_on an array of names");
    }
  }

  /** The form stored with the task in Redis and read back by workers: absolute times, milliseconds. */
  public JsonObject toStored(long now) {
    return new JsonObject()
        .put("eta", etaMillis(now))
        .put("expires", expiresMillis(now))
        .put("max_retries", maxRetries)
        .put("retry_backoff_ms", retryBackoff.toMillis())
        .put("retry_backoff_max_ms", retryBackoffMax.toMillis())
        .put("retry_jitter", retryJitter)
        .put("retry_on", new JsonArray(retryOn))
        .put("soft_time_limit_ms", softTimeLimit == null ? 0 : softTimeLimit.toMillis())
        .put("time_limit_ms", timeLimit == null ? 0 : timeLimit.toMillis())
        .put("queue", queue)
        .put("priority", priority)
        .put("max_deliveries", maxDeliveries)
        .put("ignore_result", ignoreResult);
  }

  /** Reads back {@link #toStored}. */
  public static TaskOptions fromStored(JsonObject json) {
    long expires = json.getLong("expires", 0L);
    long soft = json.getLong("soft_time_limit_ms", 0L);
    long hard = json.getLong("time_limit_ms", 0L);
    return new TaskOptions(Instant.ofEpochMilli(json.getLong("eta", 0L)), null,
        expires == 0 ? null : Instant.ofEpochMilli(expires), null,
        json.getInteger("max_retries", 0),
        Duration.ofMillis(json.getLong("retry_backoff_ms", DEFAULT_RETRY_BACKOFF.toMillis())),
        Duration.ofMillis(json.getLong("retry_backoff_max_ms", DEFAULT_RETRY_BACKOFF_MAX.toMillis())),
        json.getBoolean("retry_jitter", true),
        json.getJsonArray("retry_on", new JsonArray()).stream().map(String::valueOf).toList(),
        soft == 0 ? null : Duration.ofMillis(soft), hard == 0 ? null : Duration.ofMillis(hard),
        json.getString("queue", DEFAULT_QUEUE), json.getInteger("priority", DEFAULT_PRIORITY), null,
        json.getInteger("max_deliveries", DEFAULT_MAX_DELIVERIES), json.getBoolean("ignore_result", false));
  }

  /**
   * Reads back {@link #toStored} from its JSON text with a streaming parser: a worker reads every claimed task's
   * options, and a JsonObject (a map entry and a boxed value per field) cost more than the task's other fields
   * together. Same defaults as {@link #fromStored(JsonObject)}; unknown fields are skipped. Throws
   * {@link IllegalArgumentException} when the text is not a JSON object.
   */
  public static TaskOptions fromStored(String json) {
    long eta = 0, expires = 0, soft = 0, hard = 0;
    long backoff = DEFAULT_RETRY_BACKOFF.toMillis(), backoffMax = DEFAULT_RETRY_BACKOFF_MAX.toMillis();
    int maxRetries = 0, priority = DEFAULT_PRIORITY, maxDeliveries = DEFAULT_MAX_DELIVERIES;
    boolean jitter = true, ignoreResult = false;
    String queue = DEFAULT_QUEUE;
    List<String> retryOn = List.of();
    try (JsonParser parser = STORED.createParser(json)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw new IllegalArgumentException("stored options: expected a JSON object, got " + json);
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        if (value == JsonToken.VALUE_NULL) {
          continue;
        }
        switch (field) {
          case "eta" -> eta = parser.getValueAsLong();
          case "expires" -> expires = parser.getValueAsLong();
          case "max_retries" -> maxRetries = parser.getValueAsInt();
          case "retry_backoff_ms" -> backoff = parser.getValueAsLong();
          case "retry_backoff_max_ms" -> backoffMax = parser.getValueAsLong();
          case "retry_jitter" -> jitter = parser.getValueAsBoolean();
          case "retry_on" -> retryOn = strings(parser);
          case "soft_time_limit_ms" -> soft = parser.getValueAsLong();
          case "time_limit_ms" -> hard = parser.getValueAsLong();
          case "queue" -> queue = parser.getValueAsString();
          case "priority" -> priority = parser.getValueAsInt();
          case "max_deliveries" -> maxDeliveries = parser.getValueAsInt();
          case "ignore_result" -> ignoreResult = parser.getValueAsBoolean();
          default -> parser.skipChildren();
        }
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("stored options: not JSON (" + e.getMessage() + "): " + json, e);
    }
    return new TaskOptions(Instant.ofEpochMilli(eta), null, expires == 0 ? null : Instant.ofEpochMilli(expires), null,
        maxRetries, Duration.ofMillis(backoff), Duration.ofMillis(backoffMax), jitter, retryOn,
        soft == 0 ? null : Duration.ofMillis(soft), hard == 0 ? null : Duration.ofMillis(hard), queue, priority, null,
        maxDeliveries, ignoreResult);
  }

  /** The array the parser stands on, each element as text (empty for anything else). */
  private static List<String> strings(JsonParser parser) throws IOException {
    if (parser.currentToken() != JsonToken.START_ARRAY) {
      parser.skipChildren();
      return List.of();
    }
    List<String> values = new ArrayList<>();
    while (parser.nextToken() != JsonToken.END_ARRAY) {
      values.add(parser.getValueAsString(parser.getText()));
      parser.skipChildren();
    }
    return values;
  }

  /**
   * {@code [A-Za-z0-9_.:-]{1,128}}, checked without a regex Matcher: every options record is checked, a worker builds
   * one per claimed task.
   */
  private static boolean isName(String value) {
    int length = value.length();
    if (length < 1 || length > 128) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      char c = value.charAt(i);
      boolean allowed = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.'
          || c == ':' || c == '-';
      if (!allowed) {
        return false;
      }
    }
    return true;
  }

  private static Duration seconds(JsonObject json, String key) {
    Object value = json.getValue(key);
    if (!(value instanceof Number number) || !Double.isFinite(number.doubleValue())) {
      throw TaskException.invalid(key + ": expected a number of seconds, got " + value);
    }
    double seconds = number.doubleValue();
    if (Math.abs(seconds) > MAX_DURATION.toSeconds()) {
      throw TaskException.invalid(key + ": expected at most " + MAX_DURATION.toSeconds() + " seconds (10 years), got "
          + value);
    }
    return Duration.ofMillis(Math.round(seconds * 1000));
  }

  private static void requireNonNegative(String key, Duration value) {
    if (value != null && value.isNegative()) {
      throw TaskException.invalid(key + ": expected a duration >= 0, got " + value);
    }
    requireAtMostMax(key, value);
  }

  private static void requirePositive(String key, Duration value) {
    if (value != null && (value.isNegative() || value.isZero())) {
      throw TaskException.invalid(key + ": expected a duration > 0, got " + value);
    }
    requireAtMostMax(key, value);
  }

  private static void requireAtMostMax(String key, Duration value) {
    if (value != null && value.compareTo(MAX_DURATION) > 0) {
      throw TaskException.invalid(key + ": expected at most " + MAX_DURATION.toSeconds() + " seconds (10 years), got "
          + value.toSeconds());
    }
  }

  private static void requireInRange(String key, Instant value) {
    if (value != null && (value.isBefore(EARLIEST) || value.isAfter(LATEST))) {
      throw TaskException.invalid(key + ": expected an instant in years 0000 to 9999, got " + value);
    }
  }
}

package dev.switchboard.interop.celery;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * One Celery task message, protocol v2 as kombu 5 writes it to a Redis list: {@code headers} (id, task, eta,
 * expires, retries, timelimit), {@code properties} (priority, body_encoding), and a base64 body holding
 * {@code [args, kwargs, embed]}. {@link #parse} never throws: what this worker cannot run carries a
 * {@link #refusal} saying why, and becomes a FAILURE Python can read.
 *
 * @param id       the Celery task id (null only when the envelope is not even JSON)
 * @param refusal  null when the task can run, else an exception type and message for its FAILURE
 * @param downstream the ids whose results wait on this task's when it comes with a canvas (a chain's later tasks,
 *                   a chord's body): a Celery worker marks them FAILURE with it, so a refusal does too, or Python's
 *                   {@code chain.apply_async().get()} would wait for ever
 */
record CeleryEnvelope(String raw, String id, String task, JsonArray args, JsonObject kwargs, Instant eta,
    Instant expires, int priority, int retries, Double softLimit, Double hardLimit, Refusal refusal,
    List<String> downstream) {

  /** Why an envelope is not run: Celery's exception type and module for the FAILURE meta, and a message. */
  record Refusal(String type, String module, String message) {

    String toCeleryResult() {
      return new JsonObject().put("exc_type", type).put("exc_message", new JsonArray().add(message))
          .put("exc_module", module).encode();
    }
  }

  /** kombu's content types and the serializer names Python users know them by. */
  private static final Map<String, String> SERIALIZERS = Map.of("application/x-python-serialize", "pickle",
      "application/x-yaml", "yaml", "application/x-msgpack", "msgpack");
  private static final List<String> CANVAS = List.of("chain", "chord", "callbacks", "errbacks");

  static CeleryEnvelope parse(String raw) {
    JsonObject envelope;
    try {
      envelope = new JsonObject(raw);
    } catch (DecodeException | ClassCastException e) {
      return refused(raw, null, null, "ContentDisallowed", "kombu.exceptions", "the message is not a JSON envelope");
    }
    JsonObject headers = envelope.getJsonObject("headers", new JsonObject());
    JsonObject properties = envelope.getJsonObject("properties", new JsonObject());
    String id = headers.getString("id", properties.getString("correlation_id"));
    String task = headers.getString("task");
    if (id == null || task == null) {
      return refused(raw, id, task, "ContentDisallowed", "kombu.exceptions",
          "only Celery's task protocol 2 is supported (no headers.id / headers.task)");
    }
    String contentType = envelope.getString("content-type", "");
    if (!"application/json".equals(contentType)) {
      return refused(raw, id, task, "ContentDisallowed", "kombu.exceptions", "serializer "
          + SERIALIZERS.getOrDefault(contentType, contentType) + " (" + contentType
          + ") is not supported by Switchboard workers: send JSON (task_serializer='json')");
    }
    if (headers.getValue("compression") != null) {
      return refused(raw, id, task, "ContentDisallowed", "kombu.exceptions",
          "compressed task messages (" + headers.getValue("compression") + ") are not supported by Switchboard workers");
    }
    if (!"base64".equals(properties.getString("body_encoding", "base64"))) {
      return refused(raw, id, task, "ContentDisallowed", "kombu.exceptions",
          "body encoding " + properties.getString("body_encoding") + " is not supported");
    }
    JsonArray body;
    try {
      body = new JsonArray(new String(Base64.getDecoder().decode(envelope.getString("body", "")), StandardCharsets.UTF_8));
    } catch (IllegalArgumentException | DecodeException | ClassCastException e) {
      return refused(raw, id, task, "ContentDisallowed", "kombu.exceptions", "the task body is not base64 JSON");
    }
    Object args = unwrap(body.size() > 0 ? body.getValue(0) : new JsonArray());
    Object kwargs = unwrap(body.size() > 1 ? body.getValue(1) : new JsonObject());
    JsonObject embed = body.size() > 2 && body.getValue(2) instanceof JsonObject e ? e : new JsonObject();
    for (String field : CANVAS) {
      Object value = embed.getValue(field);
      if (value != null && !(value instanceof JsonArray array && array.isEmpty())) {
        return new CeleryEnvelope(raw, id, task, null, null, null, null, 0, 0, null, null, new Refusal(
            "NotImplementedError", "builtins", "canvas '" + field
                + "' is not supported by Switchboard workers yet: send the tasks one by one"), downstream(embed));
      }
    }
    if (!(args instanceof JsonArray argList) || !(kwargs instanceof JsonObject kwargMap)) {
      return refused(raw, id, task, "TypeError", "builtins", "the body must be [args list, kwargs dict, embed]");
    }
    try {
      JsonArray limits = headers.getJsonArray("timelimit", new JsonArray());
      int priority = properties.getValue("priority") instanceof Number p ? p.intValue() : 0;
      return new CeleryEnvelope(raw, id, task, argList, kwargMap, instant(headers.getValue("eta")),
          instant(headers.getValue("expires")), Math.max(0, Math.min(9, priority)),
          headers.getValue("retries") instanceof Number r ? r.intValue() : 0,
          limits.size() > 1 ? number(limits.getValue(1)) : null, limits.size() > 0 ? number(limits.getValue(0)) : null,
          null, List.of());
    } catch (DateTimeParseException | ClassCastException e) {
      return refused(raw, id, task, "ValueError", "builtins", "bad eta, expires or timelimit: " + e.getMessage());
    }
  }

  private static CeleryEnvelope refused(String raw, String id, String task, String type, String module, String message) {
    return new CeleryEnvelope(raw, id, task, null, null, null, null, 0, 0, null, null, new Refusal(type, module, message),
        List.of());
  }

  /** The task ids of the chain's later signatures and of the chord's body, as Celery's mark_as_failure finds them. */
  private static List<String> downstream(JsonObject embed) {
    List<String> ids = new ArrayList<>();
    if (embed.getValue("chain") instanceof JsonArray chain) {
      chain.forEach(signature -> addTaskId(ids, signature));
    }
    addTaskId(ids, embed.getValue("chord"));
    return List.copyOf(ids);
  }

  private static void addTaskId(List<String> ids, Object signature) {
    if (signature instanceof JsonObject sig && sig.getValue("options") instanceof JsonObject options
        && options.getValue("task_id") instanceof String taskId && !taskId.isEmpty()) {
      ids.add(taskId);
    }
  }

  /** kombu ≥ 5.3 wraps datetime, uuid, bytes and decimal as {"__type__", "__value__"}: JSON tasks get the value. */
  private static Object unwrap(Object value) {
    if (value instanceof JsonObject object) {
      if (object.size() == 2 && object.containsKey("__type__") && object.containsKey("__value__")) {
        return object.getValue("__value__");
      }
      JsonObject copy = new JsonObject();
      for (Map.Entry<String, Object> entry : object) {
        copy.put(entry.getKey(), unwrap(entry.getValue()));
      }
      return copy;
    }
    if (value instanceof JsonArray array) {
      JsonArray copy = new JsonArray();
      array.forEach(item -> copy.add(unwrap(item)));
      return copy;
    }
    return value;
  }

  private static Instant instant(Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof Number seconds) {
      return Instant.ofEpochMilli(Math.round(seconds.doubleValue() * 1000));
    }
    String text = value.toString();
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      return java.time.LocalDateTime.parse(text).toInstant(java.time.ZoneOffset.UTC); // naive = UTC, as Celery
    }
  }

  private static Double number(Object value) {
    return value instanceof Number n ? n.doubleValue() : null;
  }

  /** Switchboard's priority: 9 runs first, where Celery on Redis runs 0 first. */
  int switchboardPriority() {
    return 9 - priority;
  }
}

package dev.switchboard.api.tasks;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;

/**
 * A snapshot of one task: what it is, where it is in its lifecycle and what came of it. {@code seq} grows
 * with every transition, so a watcher can order a snapshot against live events. {@code timestamps} holds
 * the last time the task entered each state; {@code deliveries} counts the attempts started (a retry or a
 * reclaim after a worker died adds one), {@code worker} names the last worker that started it.
 * {@code customState} is the name of a state of the task's own ({@code TaskContext.updateState}) while it is in
 * PROGRESS with that state, else null; {@code progress} then holds its meta.
 */
public record TaskInfo(
    String id,
    String name,
    TaskState state,
    JsonArray args,
    JsonObject kwargs,
    Object result,
    TaskError error,
    JsonObject progress,
    String customState,
    int retries,
    int deliveries,
    String worker,
    long seq,
    Map<TaskState, Long> timestamps) {

  private static final TaskState[] STATES = TaskState.values();
  /** The hash field of each state's time ({@code t_SUCCESS}, ...), by ordinal: built once, read on every notify. */
  private static final String[] STAMP_FIELDS = Arrays.stream(STATES).map(state -> "t_" + state.name())
      .toArray(String[]::new);

  /** Reads the task hash as stored by the Lua scripts (values are strings, JSON where structured). */
  public static TaskInfo fromHash(Map<String, String> hash) {
    Map<TaskState, Long> stamps = new EnumMap<>(TaskState.class);
    for (TaskState state : STATES) {
      String at = hash.get(STAMP_FIELDS[state.ordinal()]);
      if (at != null) {
        stamps.put(state, Long.parseLong(at));
      }
    }
    return new TaskInfo(hash.get("id"), hash.get("name"), TaskState.valueOf(hash.get("state")),
        (JsonArray) decode(hash.get("args")), (JsonObject) decode(hash.get("kwargs")), decode(hash.get("result")),
        TaskError.fromJson((JsonObject) decode(hash.get("error"))), (JsonObject) decode(hash.get("progress")),
        customState(hash.get("state"), hash.get("custom_state")), parseInt(hash.get("retries")), parseInt(hash.get("deliveries")), hash.get("worker"),
        parseInt(hash.get("seq")), stamps);
  }

  /** Reads {@link #toJson()} back, and also the lighter task events, which carry no args. */
  public static TaskInfo fromJson(JsonObject json) {
    Map<TaskState, Long> stamps = new EnumMap<>(TaskState.class);
    JsonObject times = json.getJsonObject("timestamps", new JsonObject());
    times.forEach(entry -> stamps.put(TaskState.valueOf(entry.getKey()), Instant.parse((String) entry.getValue()).toEpochMilli()));
    return new TaskInfo(json.getString("id"), json.getString("name"), TaskState.valueOf(json.getString("state")),
        json.getJsonArray("args"), json.getJsonObject("kwargs"), json.getValue("result"),
        TaskError.fromJson(json.getJsonObject("error")), json.getJsonObject("progress"),
        customState(json.getString("state"), json.getString("custom_state")), json.getInteger("retries", 0), json.getInteger("deliveries", 0), json.getString("worker"),
        json.getLong("seq", 0L), stamps);
  }

  /** The HTTP/WebSocket shape: {@code id, name, state, result, error, progress}, plus retries and times. */
  public JsonObject toJson() {
    JsonObject times = new JsonObject();
    timestamps.forEach((state, at) -> times.put(state.name(), Instant.ofEpochMilli(at).toString()));
    return new JsonObject()
        .put("id", id)
        .put("name", name)
        .put("state", state.name())
        .put("result", result)
        .put("error", error == null ? null : error.toJson())
        .put("progress", progress)
        .put("custom_state", customState)
        .put("args", args)
        .put("kwargs", kwargs)
        .put("retries", retries)
        .put("deliveries", deliveries)
        .put("worker", worker)
        .put("seq", seq)
        .put("timestamps", times);
  }

  public boolean ready() {
    return state.isFinal();
  }

  private static Object decode(String text) {
    if (text == null || text.isEmpty() || text.equals("null")) { // a task that returned nothing: no JSON parser
      return null;
    }
    try {
      return Json.decodeValue(text);
    } catch (DecodeException e) {
      return text;
    }
  }

  /** Only a task in PROGRESS shows its own state; an empty name is plain progress. */
  private static String customState(String state, String custom) {
    return TaskState.PROGRESS.name().equals(state) && custom != null && !custom.isEmpty() ? custom : null;
  }

  private static int parseInt(String text) {
    return text == null ? 0 : Integer.parseInt(text);
  }
}

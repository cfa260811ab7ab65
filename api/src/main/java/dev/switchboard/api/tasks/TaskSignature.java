package dev.switchboard.api.tasks;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The parameters a task takes, each named and typed, declared by the task and published by workers so that
 * every client (any node, the HTTP gateway) checks a call before it is queued. Calls bind positional
 * {@code args} first, then {@code kwargs} by name; every parameter is required.
 */
public record TaskSignature(List<Param> params) {

  /** JSON types a parameter accepts; INTEGER takes whole numbers only, NUMBER any finite number. */
  public enum Type { INTEGER, NUMBER, STRING, BOOLEAN, OBJECT, ARRAY, ANY }

  /** One named, typed parameter. */
  public record Param(String name, Type type) {
  }

  public TaskSignature {
    params = List.copyOf(params);
  }

  public static TaskSignature of(Param... params) {
    return new TaskSignature(Arrays.asList(params));
  }

  public static Param param(String name, Type type) {
    return new Param(name, type);
  }

  /**
   * Binds a call to this signature: the arguments in parameter order. Fails with INVALID_REQUEST naming the
   * task and the parameter when there are too many or too few, an unknown keyword, or a wrong type.
   */
  public JsonArray bind(String task, JsonArray args, JsonObject kwargs) {
    JsonArray positional = args == null ? new JsonArray() : args;
    JsonObject named = kwargs == null ? new JsonObject() : kwargs;
    if (positional.size() > params.size()) {
      throw TaskException.invalid(task + "() takes " + params.size() + " argument(s), got " + positional.size());
    }
    Set<String> unknown = new HashSet<>(named.fieldNames());
    JsonArray bound = new JsonArray();
    for (int i = 0; i < params.size(); i++) {
      Param param = params.get(i);
      unknown.remove(param.name());
      boolean byName = named.containsKey(param.name());
      if (i < positional.size() && byName) {
        throw TaskException.invalid(task + "() got argument \"" + param.name() + "\" twice");
      }
      if (i >= positional.size() && !byName) {
        throw TaskException.invalid(task + "() missing argument \"" + param.name() + "\" (" + describe() + ")");
      }
      Object value = i < positional.size() ? positional.getValue(i) : named.getValue(param.name());
      if (!accepts(param.type(), value)) {
        throw TaskException.invalid(task + "() argument \"" + param.name() + "\": expected "
            + param.type().name().toLowerCase() + ", got " + (value == null ? "null" : value));
      }
      bound.add(value);
    }
    if (!unknown.isEmpty()) {
      throw TaskException.invalid(task + "() got unexpected keyword argument(s) " + unknown);
    }
    return bound;
  }

  /** {@code name: type, ...}, for error messages. */
  public String describe() {
    return String.join(", ", params.stream().map(p -> p.name() + ": " + p.type().name().toLowerCase()).toList());
  }

  public JsonArray toJson() {
    return new JsonArray(params.stream().map(p -> new JsonObject().put("name", p.name()).put("type", p.type().name())).toList());
  }

  public static TaskSignature fromJson(JsonArray json) {
    return new TaskSignature(json.stream().map(JsonObject.class::cast)
        .map(p -> new Param(p.getString("name"), Type.valueOf(p.getString("type")))).toList());
  }

  private static boolean accepts(Type type, Object value) {
    return switch (type) {
      case ANY -> true;
      case INTEGER -> value instanceof Integer || value instanceof Long
          || value instanceof Number n && Double.isFinite(n.doubleValue()) && n.doubleValue() == Math.rint(n.doubleValue());
      case NUMBER -> value instanceof Number n && Double.isFinite(n.doubleValue());
      case STRING -> value instanceof String;
      case BOOLEAN -> value instanceof Boolean;
      case OBJECT -> value instanceof JsonObject;
      case ARRAY -> value instanceof JsonArray;
    };
  }
}

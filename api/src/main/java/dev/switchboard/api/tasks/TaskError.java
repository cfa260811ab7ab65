package dev.switchboard.api.tasks;

import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;

/** Why a task failed: the exception's type (class name), its message and its stack trace as text. */
public record TaskError(String type, String message, String stack) {

  /** Stack traces are cut to this many characters so one failure cannot bloat Redis. */
  public static final int MAX_STACK = 8 * 1024;

  public static TaskError of(Throwable error) {
    StringWriter text = new StringWriter();
    error.printStackTrace(new PrintWriter(text));
    String stack = text.toString();
    return new TaskError(error.getClass().getName(), error.getMessage(),
        stack.length() > MAX_STACK ? stack.substring(0, MAX_STACK) : stack);
  }

  public static TaskError fromJson(JsonObject json) {
    return json == null ? null
        : new TaskError(json.getString("type"), json.getString("message"), json.getString("stack"));
  }

  public JsonObject toJson() {
    return new JsonObject().put("type", type).put("message", message).put("stack", stack);
  }
}

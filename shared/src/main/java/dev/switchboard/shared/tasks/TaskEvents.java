package dev.switchboard.shared.tasks;

import dev.switchboard.api.tasks.TaskInfo;
import dev.switchboard.api.tasks.TaskState;
import dev.switchboard.shared.protocol.Addresses;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * Task events on the event bus: every state change and progress report of a task is published (all nodes,
 * every subscriber) to {@link Addresses#taskEvents}. An event is
 * {@code {"id","name","state","seq","ts", "progress"?, "result"?, "error"?}}; {@code seq} is the task's
 * transition counter, the same as in {@link TaskInfo#seq()}, so watchers can drop what a snapshot already
 * showed. Delivery is at most once, as on the whole channel layer; Redis stays the source of truth.
 */
public final class TaskEvents {

  private TaskEvents() {
  }

  public static JsonObject event(String id, String name, TaskState state, long seq, long ts) {
    return new JsonObject().put("id", id).put("name", name).put("state", state.name()).put("seq", seq).put("ts", ts);
  }

  public static void publish(Vertx vertx, JsonObject event) {
    vertx.eventBus().publish(Addresses.taskEvents(event.getString("id")), event);
  }

  public static TaskState state(JsonObject event) {
    return TaskState.valueOf(event.getString("state"));
  }
}

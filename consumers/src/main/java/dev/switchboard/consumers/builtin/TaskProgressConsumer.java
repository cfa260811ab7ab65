package dev.switchboard.consumers.builtin;

import dev.switchboard.api.consumers.JsonWebsocketConsumer;
import dev.switchboard.api.tasks.TaskState;
import dev.switchboard.api.protocol.CloseCodes;
import dev.switchboard.api.tasks.TaskClient;
import dev.switchboard.api.tasks.TaskException;
import dev.switchboard.api.tasks.TaskInfo;
import io.vertx.core.Future;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code /ws/tasks/{id}}: watches one task. On connect it subscribes to the task's events, then sends the current
 * state at once (a client arriving after the end gets the final state straight away), then every later state
 * change and progress report as JSON, and closes normally (1000) after the final state. Events that overtake the
 * snapshot are held (bounded) and those the snapshot already covers are dropped, by sequence number. An unknown id
 * gets {@code {"id", "error"}} and close 1008.
 */
public final class TaskProgressConsumer extends JsonWebsocketConsumer {

  public static final String NAME = "tasks";
  static final int MAX_EARLY_EVENTS = 256;

  private final List<JsonObject> early = new ArrayList<>();
  private MessageConsumer<JsonObject> events;
  private long shownSeq = -1;
  private boolean finished;

  @Override
  protected Future<Void> connect() {
    String id = param("id");
    TaskClient client;
    try {
      client = tasks();
    } catch (IllegalStateException noRedis) {
      close(CloseCodes.INTERNAL_ERROR, noRedis.getMessage());
      return Future.succeededFuture();
    }
    accept();
    events = vertx().eventBus().consumer(TaskClient.eventsAddress(id), message -> onEvent(message.body()));
    events.completion()
        .compose(v -> client.info(id))
        .onSuccess(this::snapshot)
        .onFailure(err -> {
          boolean unknown = err instanceof TaskException task && task.reason() == TaskException.Reason.NO_SUCH_TASK;
          sendJson(new JsonObject().put("id", id).put("error", err.getMessage()));
          end(unknown ? CloseCodes.POLICY_VIOLATION : CloseCodes.INTERNAL_ERROR, unknown ? "unknown task" : "task state unavailable");
        });
    return Future.succeededFuture();
  }

  @Override
  protected Future<Void> receiveJson(JsonObject content) {
    return Future.succeededFuture(); // the stream is one-way; what the client sends is ignored
  }

  @Override
  protected Future<Void> disconnect(int code) {
    finished = true;
    return events == null ? Future.succeededFuture() : events.unregister();
  }

  private void snapshot(TaskInfo info) {
    if (finished) {
      return;
    }
    shownSeq = info.seq();
    sendJson(info.toJson());
    if (info.ready()) {
      end(CloseCodes.NORMAL, "task finished");
      return;
    }
    List<JsonObject> held = new ArrayList<>(early);
    early.clear();
    held.forEach(this::onEvent);
  }

  private void onEvent(JsonObject event) {
    if (finished) {
      return;
    }
    if (shownSeq < 0) {
      if (early.size() >= MAX_EARLY_EVENTS) {
        early.remove(0);
      }
      early.add(event);
      return;
    }
    long seq = event.getLong("seq", 0L);
    if (seq <= shownSeq) {
      return;
    }
    shownSeq = seq;
    sendJson(event);
    if (TaskState.valueOf(event.getString("state")).isFinal()) {
      end(CloseCodes.NORMAL, "task finished");
    }
  }

  private void end(int code, String reason) {
    finished = true;
    if (events != null) {
      events.unregister();
    }
    close(code, reason);
  }
}

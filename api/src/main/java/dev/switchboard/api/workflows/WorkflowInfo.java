package dev.switchboard.api.workflows;

import dev.switchboard.api.tasks.TaskState;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * A workflow as stored: its state, its result (SUCCESS) or error (FAILURE), and each of its task calls in the
 * order they were written (id, task name, state). A member that was never started because the workflow failed
 * first has state {@code null} (it was never created). States: PENDING (nothing started yet), STARTED (a member
 * is running or done), SUCCESS, FAILURE (a member failed after its retries, or was revoked or lost: the
 * {@code error} names it, {@code {"type": "WorkflowFailed", "message", "task", "task_id", "cause"}}), REVOKED (by
 * {@link WorkflowClient#revoke}).
 */
public record WorkflowInfo(String id, TaskState state, Object result, JsonObject error, long created, long finished,
    List<Member> tasks) {

  /** One task call of the workflow. */
  public record Member(String id, String task, TaskState state) {
    public JsonObject toJson() {
      return new JsonObject().put("id", id).put("task", task).put("state", state == null ? null : state.name());
    }
  }

  public WorkflowInfo {
    tasks = List.copyOf(tasks);
  }

  public boolean ready() {
    return state == TaskState.SUCCESS || state == TaskState.FAILURE || state == TaskState.REVOKED;
  }

  /** {@code {"id", "state", "result", "error", "created", "finished", "tasks": [{"id", "task", "state"}]}}. */
  public JsonObject toJson() {
    return new JsonObject().put("id", id).put("state", state.name()).put("result", result).put("error", error)
        .put("created", created).put("finished", finished == 0 ? null : finished)
        .put("tasks", new JsonArray(tasks.stream().map(Member::toJson).toList()));
  }
}

package dev.switchboard.shared.tasks;

import java.time.Duration;

/**
 * The Redis keys of workflows, under the task keys' prefix ({@link TaskKeys}):
 *
 * <ul>
 *   <li>{@code workflow:{id}} hash: the workflow's flattened tree, its members' results as they finish, its state,
 *       result or error (layout in {@code workflow_steps.lua}); at most {@code Workflow.MAX_TASKS} members. Expires
 *       {@link #LIVE_TTL_MS} after its last step while running, {@code resultTtl} after it finished.
 *   <li>{@code workflows} list: ids of the newest workflows, newest first, trimmed to
 *       {@link TaskKeys#HISTORY_LENGTH}; ids whose hash expired are skipped by readers.
 * </ul>
 * Members are ordinary tasks ({@code task:{workflowId}.{n}}) with the fields {@code workflow} and {@code wnode}.
 */
public final class WorkflowKeys {

  /** How long a running workflow's hash outlives its latest step (a member waiting longer is abandoned). */
  public static final long LIVE_TTL_MS = Duration.ofDays(7).toMillis();

  private final TaskKeys keys;

  public WorkflowKeys(TaskKeys keys) {
    this.keys = keys;
  }

  public String workflow(String id) {
    return keys.prefix() + "workflow:" + id;
  }

  public String recent() {
    return keys.prefix() + "workflows";
  }
}

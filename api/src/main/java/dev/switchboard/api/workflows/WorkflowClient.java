package dev.switchboard.api.workflows;

import dev.switchboard.api.tasks.TaskState;
import io.vertx.core.Future;
import java.time.Duration;

/**
 * Runs {@link Workflow}s on the task workers: every step is queued by the script that records the step before it,
 * in Redis, so a workflow needs no process of its own and survives any worker's death. Thread-safe.
 *
 * <p>Futures fail with a {@code TaskException}: INVALID_REQUEST for a workflow that names an unknown task, does not
 * fit a task's signature, or breaks a bound; NO_SUCH_TASK for an unknown or expired workflow id; QUEUE_FULL when a
 * queue it uses is full.
 */
public interface WorkflowClient {

  /** Checks every member against its task's signature, then queues the first step(s); the Future holds the id. */
  Future<String> submit(Workflow workflow);

  /**
   * Revokes the workflow: it ends REVOKED, its members not finished yet are revoked (a running one is told at its
   * next progress report), and nothing further is queued. A finished workflow keeps its state. The Future holds the
   * resulting state.
   */
  Future<TaskState> revoke(String id);

  /** The workflow's state, result or error, and its members' states. */
  Future<WorkflowInfo> info(String id);

  /**
   * Completes with the workflow once it is SUCCESS, FAILURE or REVOKED; fails with a
   * {@link java.util.concurrent.TimeoutException} after {@code timeout}.
   */
  Future<WorkflowInfo> awaitFinal(String id, Duration timeout);
}

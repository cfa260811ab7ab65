package dev.switchboard.api.tasks;

/**
 * A task's lifecycle, with Celery's names. PENDING (queued or waiting for its countdown), STARTED (a worker
 * runs it), PROGRESS (running, with a progress payload), RETRY (failed, waiting for its next attempt), and
 * the final states SUCCESS, FAILURE and REVOKED. Every transition is stamped with a time.
 */
public enum TaskState {
  PENDING, STARTED, PROGRESS, RETRY, SUCCESS, FAILURE, REVOKED;

  /** True for SUCCESS, FAILURE and REVOKED: the task will not change again. */
  public boolean isFinal() {
    return this == SUCCESS || this == FAILURE || this == REVOKED;
  }
}

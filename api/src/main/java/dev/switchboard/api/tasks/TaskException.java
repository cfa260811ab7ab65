package dev.switchboard.api.tasks;

/**
 * Every way a task call can fail, by {@link Reason}; the gateway maps each reason to one HTTP status. The
 * message names the task or id and what was expected.
 */
public class TaskException extends RuntimeException {

  /** What went wrong, as a caller sees it. */
  public enum Reason {
    /** No worker has registered a task of that name (HTTP 404). */
    UNKNOWN_TASK,
    /** Arguments or options do not fit the task's signature or the options' rules (HTTP 400). */
    INVALID_REQUEST,
    /** No task with that id exists, or its result has expired (HTTP 404). */
    NO_SUCH_TASK,
    /** No task was ever sent to that queue, no live worker consumes it and no configuration names it (HTTP 404). */
    UNKNOWN_QUEUE,
    /** The queue or the delayed set is at its configured bound; try later (HTTP 503). */
    QUEUE_FULL,
    /** {@code get()} of a task that ended in FAILURE; {@link #info()} holds the error. */
    FAILED,
    /** {@code get()} of a task that was revoked or expired. */
    REVOKED
  }

  private final Reason reason;
  private final transient TaskInfo info;

  public TaskException(Reason reason, String message) {
    this(reason, message, null);
  }

  public TaskException(Reason reason, String message, TaskInfo info) {
    super(message, null, false, false);
    this.reason = reason;
    this.info = info;
  }

  public Reason reason() {
    return reason;
  }

  /** The task's state when the failure is about a finished task (FAILED, REVOKED), else null. */
  public TaskInfo info() {
    return info;
  }

  static TaskException invalid(String message) {
    return new TaskException(Reason.INVALID_REQUEST, message);
  }
}

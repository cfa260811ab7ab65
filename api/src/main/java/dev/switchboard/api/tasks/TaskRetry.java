package dev.switchboard.api.tasks;

import java.time.Duration;

/**
 * Thrown (or failed with) by a task that asks to run again, Celery's {@code self.retry(countdown=...)}: see
 * {@link TaskContext#retry(Duration, Throwable)}. The retry counts against {@code max_retries} but ignores
 * {@code retry_on} and the backoff: the task chose when. Once {@code max_retries} is reached the task ends
 * FAILURE with this error.
 */
public class TaskRetry extends RuntimeException {

  private final Duration countdown;

  public TaskRetry(String message, Duration countdown, Throwable cause) {
    super(message, cause, false, false);
    this.countdown = countdown;
  }

  /** How long from now the next attempt waits. */
  public Duration countdown() {
    return countdown;
  }
}

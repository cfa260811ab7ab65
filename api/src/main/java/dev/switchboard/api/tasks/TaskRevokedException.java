package dev.switchboard.api.tasks;

/** A running task learnt it was revoked (or reclaimed by another worker): it should stop; its result is dropped. */
public class TaskRevokedException extends RuntimeException {

  public TaskRevokedException(String message) {
    super(message, null, false, false);
  }
}

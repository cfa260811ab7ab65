package dev.switchboard.shared.tasks;

/**
 * Redis could not be reached, dropped the connection under a command, or did not answer in time: a temporary
 * condition of the broker, not of the request (HTTP 503). A command that failed this way may still have run.
 */
public class RedisUnavailableException extends RuntimeException {

  public RedisUnavailableException(String message, Throwable cause) {
    super(message, cause, false, false);
  }
}

package dev.switchboard.worker;

/** An attempt ran past its hard time limit ({@code time_limit}) and was abandoned; retryable like any failure. */
public class TimeLimitExceeded extends RuntimeException {

  public TimeLimitExceeded(String message) {
    super(message, null, false, false);
  }
}

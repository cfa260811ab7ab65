package dev.switchboard.consumers.data;

/**
 * The schema cannot be brought up to date: an applied migration changed since, or a migration's SQL failed. Start-up
 * stops with this message; retrying cannot help.
 */
public class MigrationException extends RuntimeException {

  public MigrationException(String message) {
    super(message);
  }

  public MigrationException(String message, Throwable cause) {
    super(message, cause);
  }
}

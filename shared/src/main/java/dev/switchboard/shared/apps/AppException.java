package dev.switchboard.shared.apps;

/** An app cannot be loaded or declares something invalid or already claimed; the message is one line for stderr. */
public class AppException extends RuntimeException {

  public AppException(String message) {
    super(message);
  }

  public AppException(String message, Throwable cause) {
    super(message, cause);
  }
}

package dev.switchboard.deploy.cli;

/** A command-line failure: one line for stderr and the exit code (1 for a failure, 2 for bad input). */
public final class CliException extends RuntimeException {

  public static final int FAILED = 1;
  public static final int USAGE = 2;

  private final int exitCode;

  public CliException(int exitCode, String message) {
    super(message, null, false, false);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}

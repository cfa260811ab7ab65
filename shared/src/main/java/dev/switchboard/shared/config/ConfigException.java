package dev.switchboard.shared.config;

/** A configuration value that cannot be used; the message names the setting and what was expected. */
public class ConfigException extends RuntimeException {

  public ConfigException(String message) {
    super(message);
  }
}

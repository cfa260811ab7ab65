package dev.switchboard.shared.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Typed, validated reads from a JSON config section. Values may be JSON numbers or strings (environment
 * overrides arrive as strings); a bad value fails with a {@link ConfigException} naming the setting.
 */
final class Settings {

  private final JsonObject json;
  private final String section;

  Settings(JsonObject root, String section) {
    Object value = root.getValue(section);
    if (value != null && !(value instanceof JsonObject)) {
      throw new ConfigException(section + ": expected an object, got " + value);
    }
    this.json = value == null ? new JsonObject() : (JsonObject) value;
    this.section = section;
  }

  int integer(String key, int fallback, int min, int max) {
    Object value = json.getValue(key);
    if (value == null) {
      return fallback;
    }
    long parsed;
    try {
      parsed = value instanceof Number n ? n.longValue() : Long.parseLong(value.toString().trim());
    } catch (NumberFormatException e) {
      throw bad(key, "an integer", value);
    }
    if (parsed < min || parsed > max) {
      throw bad(key, "an integer from " + min + " to " + max, value);
    }
    return (int) parsed;
  }

  boolean flag(String key, boolean fallback) {
    Object value = json.getValue(key);
    if (value == null || value.toString().isBlank()) {
      return fallback;
    }
    if (value instanceof Boolean b) {
      return b;
    }
    return switch (value.toString().trim().toLowerCase(java.util.Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw bad(key, "true or false", value);
    };
  }

  int port(String key, int fallback) {
    return integer(key, fallback, 0, 65535);
  }

  String string(String key, String fallback) {
    Object value = json.getValue(key);
    if (value == null || value.toString().isBlank()) {
      return fallback;
    }
    if (value instanceof JsonObject || value instanceof JsonArray) {
      throw bad(key, "a string", value);
    }
    return value.toString().trim();
  }

  /** A list given either as a JSON array or as one comma-separated string. */
  List<String> list(String key, List<String> fallback) {
    Object value = json.getValue(key);
    if (value == null) {
      return fallback;
    }
    List<String> items = new ArrayList<>();
    if (value instanceof JsonArray array) {
      array.forEach(item -> items.add(String.valueOf(item).trim()));
    } else {
      for (String item : value.toString().split(",")) {
        items.add(item.trim());
      }
    }
    items.removeIf(String::isEmpty);
    if (items.isEmpty()) {
      throw bad(key, "a non-empty list", value);
    }
    return List.copyOf(items);
  }

  /** Like {@link #list} but absent or empty means an empty list. */
  List<String> listOrEmpty(String key) {
    Object value = json.getValue(key);
    if (value == null || value instanceof String text && text.isBlank()
        || value instanceof JsonArray array && array.isEmpty()) {
      return List.of();
    }
    return list(key, List.of());
  }

  private ConfigException bad(String key, String expected, Object value) {
    return new ConfigException(section + "." + key + ": expected " + expected + ", got \"" + value + "\"");
  }
}

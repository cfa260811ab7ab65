package dev.switchboard.api.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * One HTTP request as an HTTP consumer sees it: method, path, the URL pattern's parameters, the raw query string,
 * the headers (names lower-cased), the authenticated user (or null) and the body.
 */
public record HttpRequest(String method, String path, String query, JsonObject params, JsonObject headers,
                          String user, Buffer body) {

  /** A URL pattern parameter, e.g. {@code n} for {@code /quickstart/square/:n}. */
  public String param(String name) {
    return params == null ? null : params.getString(name);
  }
}

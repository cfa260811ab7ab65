package dev.switchboard.api.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * An HTTP request as a consumer sees it (ASGI's {@code http} scope and its body): {@code params} are the URL
 * pattern's parameters ({@code n} for {@code /quickstart/square/:n}), header names are lower-case.
 */
public record HttpRequest(String method, String path, JsonObject params, JsonObject query, Map<String, String> headers,
                          Buffer body) {

  /** A URL pattern parameter, or null. */
  public String param(String name) {
    return params == null ? null : params.getString(name);
  }
}

package dev.switchboard.api.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One HTTP request as an HTTP consumer sees it (ASGI's HTTP scope with the whole body): the method, the path and
 * the URL pattern's parameters, the raw query string, the headers (names lower-cased; the gateway removes
 * {@code authorization}), the authenticated user (the verified token's subject, or null), and the body.
 */
public record HttpRequest(String method, String path, String query, JsonObject params, JsonObject headers,
                          String user, Buffer body) {

  /** A URL pattern parameter, e.g. {@code room} for {@code /api/rooms/:room/messages}. */
  public String param(String name) {
    return params == null ? null : params.getString(name);
  }

  /** A header's value (the first, if repeated), by its name in any case. */
  public String header(String name) {
    Object value = headers == null ? null : headers.getValue(name.toLowerCase(java.util.Locale.ROOT));
    if (value instanceof io.vertx.core.json.JsonArray values) {
      return values.isEmpty() ? null : String.valueOf(values.getValue(0));
    }
    return value == null ? null : value.toString();
  }

  /** Every value of a query parameter, decoded, in order. */
  public List<String> queryParams(String name) {
    List<String> values = new ArrayList<>();
    if (query == null || query.isEmpty()) {
      return values;
    }
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      String key = decode(eq < 0 ? pair : pair.substring(0, eq));
      if (key.equals(name)) {
        values.add(eq < 0 ? "" : decode(pair.substring(eq + 1)));
      }
    }
    return values;
  }

  /** The body as a JSON object; fails with an {@link IllegalArgumentException} saying why when it is not one. */
  public JsonObject bodyAsJson() {
    try {
      Object json = body == null || body.length() == 0 ? null : io.vertx.core.json.Json.decodeValue(body);
      if (json instanceof JsonObject object) {
        return object;
      }
      throw new IllegalArgumentException("expected a JSON object");
    } catch (DecodeException e) {
      throw new IllegalArgumentException("malformed JSON: " + e.getMessage(), e);
    }
  }

  private static String decode(String text) {
    try {
      return URLDecoder.decode(text, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return text;
    }
  }
}

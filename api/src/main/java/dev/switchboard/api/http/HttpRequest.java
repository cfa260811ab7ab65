package dev.switchboard.api.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An HTTP request as a consumer sees it (ASGI's {@code http} scope and its whole body): {@code params} are the URL
 * pattern's parameters ({@code n} for {@code /quickstart/square/:n}), {@code query} the raw query string (without a
 * {@code token}), header names are lower-case (a repeated header is a JSON array; the gateway removes
 * {@code authorization}), and {@code user} is the authenticated user: the subject of the token the gateway verified,
 * or null without one.
 */
public record HttpRequest(String method, String path, JsonObject params, String query, JsonObject headers, String user,
                          Buffer body) {

  /** A URL pattern parameter, or null. */
  public String param(String name) {
    return params == null ? null : params.getString(name);
  }

  /** A header's value (the first, if repeated), by its name in any case; null when absent. */
  public String header(String name) {
    Object value = headers == null ? null : headers.getValue(name.toLowerCase(Locale.ROOT));
    if (value instanceof JsonArray values) {
      return values.isEmpty() ? null : String.valueOf(values.getValue(0));
    }
    return value == null ? null : value.toString();
  }

  /** Every value of a query parameter, decoded, in order (empty when absent). */
  public List<String> queryParams(String name) {
    List<String> values = new ArrayList<>();
    if (query == null || query.isEmpty()) {
      return values;
    }
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      if (decode(eq < 0 ? pair : pair.substring(0, eq)).equals(name)) {
        values.add(eq < 0 ? "" : decode(pair.substring(eq + 1)));
      }
    }
    return values;
  }

  /** The first value of a query parameter, or null. */
  public String queryParam(String name) {
    List<String> values = queryParams(name);
    return values.isEmpty() ? null : values.get(0);
  }

  /** The body as a JSON object; fails with an {@link IllegalArgumentException} saying why when it is not one. */
  public JsonObject bodyAsJson() {
    try {
      Object json = body == null || body.length() == 0 ? null : Json.decodeValue(body);
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

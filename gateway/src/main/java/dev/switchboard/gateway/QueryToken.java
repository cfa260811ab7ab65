package dev.switchboard.gateway;

import io.netty.handler.codec.http.QueryStringDecoder;

/**
 * A query string split once into its {@code token} parameter and the rest. Parameters are separated by {@code &}
 * or {@code ;} and names are percent-decoded, as the decoders consumers use do, so that {@code %74oken=} or
 * {@code a=1;token=} is found here, and what is found is exactly what is cut out: the token never reaches a
 * consumer's scope. The rest keeps its raw bytes and separators.
 */
record QueryToken(String token, String rest) {

  static final String NAME = "token";

  static QueryToken parse(String query) {
    if (query == null || query.isEmpty()) {
      return new QueryToken(null, "");
    }
    String token = null;
    StringBuilder rest = new StringBuilder();
    int start = 0;
    while (start <= query.length()) {
      int end = start;
      while (end < query.length() && query.charAt(end) != '&' && query.charAt(end) != ';') {
        end++;
      }
      String part = query.substring(start, end);
      int equals = part.indexOf('=');
      String name = decode(equals < 0 ? part : part.substring(0, equals));
      if (NAME.equals(name)) {
        if (token == null) {
          token = equals < 0 ? "" : decode(part.substring(equals + 1));
        }
      } else if (!part.isEmpty()) {
        if (rest.length() > 0) {
          rest.append(query.charAt(start - 1));
        }
        rest.append(part);
      }
      start = end + 1;
    }
    return new QueryToken(token, rest.toString());
  }

  private static String decode(String component) {
    try {
      return QueryStringDecoder.decodeComponent(component);
    } catch (IllegalArgumentException e) {
      return component; // malformed escapes: not the token's name, and passed on as they came
    }
  }
}

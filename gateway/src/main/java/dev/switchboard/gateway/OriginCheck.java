package dev.switchboard.gateway;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Cross-site WebSocket hijacking and CSRF defence: a browser always sends {@code Origin}, so a request with one
 * must come from a configured public origin ({@code websocket.allowedOrigins}; {@code "*"} allows any). With none
 * configured, only loopback origins ({@code localhost}, {@code 127.0.0.0/8}, {@code [::1]}, any port) pass: a
 * laptop's default that a DNS-rebinding page cannot meet, since its origin keeps its own host name. The request's
 * {@code Host} header is never the reference: the client chooses it. Requests without {@code Origin} are not from
 * a browser page and pass (they carry no ambient credentials).
 */
final class OriginCheck {

  private final Set<String> allowed;
  private final boolean any;

  OriginCheck(List<String> allowedOrigins) {
    this.allowed = allowedOrigins.stream().map(OriginCheck::normalize).collect(Collectors.toUnmodifiableSet());
    this.any = allowed.contains("*");
  }

  boolean allows(String origin) {
    if (origin == null || any) {
      return true;
    }
    String normalized = normalize(origin);
    if (!allowed.isEmpty()) {
      return allowed.contains(normalized) || allowed.contains(withoutDefaultPort(normalized));
    }
    return isLoopback(normalized);
  }

  private static boolean isLoopback(String origin) {
    try {
      URI uri = new URI(origin);
      String host = uri.getHost();
      if (uri.getRawPath() != null && !uri.getRawPath().isEmpty() || host == null
          || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
        return false;
      }
      return host.equals("localhost") || host.equals("[::1]") || host.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    } catch (URISyntaxException e) {
      return false;
    }
  }

  /** {@code http://h:80} is {@code http://h}, {@code https://h:443} is {@code https://h}. */
  private static String withoutDefaultPort(String origin) {
    if (origin.startsWith("http://") && origin.endsWith(":80")) {
      return origin.substring(0, origin.length() - 3);
    }
    if (origin.startsWith("https://") && origin.endsWith(":443")) {
      return origin.substring(0, origin.length() - 4);
    }
    return origin;
  }

  private static String normalize(String origin) {
    String trimmed = origin.trim().toLowerCase(Locale.ROOT);
    return trimmed.endsWith("/") ? trimmed.substring(0, trimmed.length() - 1) : trimmed;
  }
}

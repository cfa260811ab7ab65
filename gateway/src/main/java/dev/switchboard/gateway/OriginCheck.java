package dev.switchboard.gateway;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Cross-site WebSocket hijacking defence: a browser always sends {@code Origin}, so a request with one must
 * come from the gateway's own origin (its {@code Host}) or one on the allow-list ({@code "*"} allows any).
 * Requests without an {@code Origin} are not from a browser page and pass (they carry no ambient cookies).
 */
final class OriginCheck {

  private final Set<String> allowed;
  private final boolean any;

  OriginCheck(List<String> allowedOrigins) {
    this.allowed = allowedOrigins.stream().map(OriginCheck::normalize).collect(Collectors.toUnmodifiableSet());
    this.any = allowed.contains("*");
  }

  boolean allows(String origin, String host) {
    if (origin == null || any) {
      return true;
    }
    String normalized = normalize(origin);
    if (allowed.contains(normalized)) {
      return true;
    }
    try {
      URI uri = URI.create(normalized);
      if (uri.getHost() == null || host == null) {
        return false;
      }
      String authority = uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
      String bareHost = host.toLowerCase(Locale.ROOT);
      return authority.equals(bareHost) || uri.getPort() < 0 && bareHost.startsWith(uri.getHost() + ":") && defaultPort(uri, bareHost);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** {@code http://h} matches {@code Host: h:80}, {@code https://h} matches {@code Host: h:443}. */
  private static boolean defaultPort(URI uri, String host) {
    String port = host.substring(host.lastIndexOf(':') + 1);
    return "http".equals(uri.getScheme()) && "80".equals(port) || "https".equals(uri.getScheme()) && "443".equals(port);
  }

  private static String normalize(String origin) {
    String trimmed = origin.trim().toLowerCase(Locale.ROOT);
    return trimmed.endsWith("/") ? trimmed.substring(0, trimmed.length() - 1) : trimmed;
  }
}

package dev.switchboard.gateway;

import io.vertx.core.net.HostAndPort;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * DNS-rebinding defence: the {@code Host} a request names must be one this gateway answers to. A rebinding page
 * keeps its own host name while the name is made to resolve to the gateway, and browsers send no {@code Origin} on
 * same-origin GETs, so the Origin rule cannot see it; its {@code Host} header is the attacker's name. Allowed:
 * {@code localhost}, any IP literal (a page on an IP literal is the gateway's own origin; nobody can rebind it), the
 * hosts of the allowed origins, and the configured names ({@code http.allowedHosts}; {@code ".example.com"} allows
 * its subdomains, {@code "*"} any host). A request without a Host (HTTP/1.0) is not from a browser and passes.
 */
final class HostCheck {

  private final Set<String> names = new HashSet<>();
  private final List<String> suffixes;
  private final boolean any;

  HostCheck(List<String> allowedHosts, List<String> allowedOrigins) {
    allowedHosts.stream().map(HostCheck::normalize).filter(host -> !host.startsWith(".")).forEach(names::add);
    this.suffixes = allowedHosts.stream().map(HostCheck::normalize).filter(host -> host.startsWith(".")).toList();
    this.any = names.contains("*");
    names.add("localhost");
    for (String origin : allowedOrigins) {
      String host = hostOf(origin);
      if (host != null) {
        names.add(normalize(host));
      }
    }
  }

  boolean allows(HostAndPort authority) {
    if (any || authority == null || authority.host() == null) {
      return true;
    }
    String host = normalize(authority.host());
    return names.contains(host) || isIpLiteral(host) || suffixes.stream().anyMatch(host::endsWith);
  }

  /** The refusal's message, naming the setting that would allow it. */
  static String refusal(HostAndPort authority) {
    return "host not allowed: " + authority.host() + " (a DNS-rebinding guard: add it to SWITCHBOARD_HTTP_ALLOWED_HOSTS"
        + " or use the gateway's configured public origin)";
  }

  private static boolean isIpLiteral(String host) {
    if (host.startsWith("[") || host.indexOf(':') >= 0) {
      return true; // IPv6: a name cannot contain ':' or '['
    }
    String[] parts = host.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (String part : parts) {
      if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit) || Integer.parseInt(part) > 255) {
        return false;
      }
    }
    return true;
  }

  private static String hostOf(String origin) {
    if (origin.trim().equals("*")) {
      return null;
    }
    try {
      return new URI(origin.trim()).getHost();
    } catch (URISyntaxException e) {
      return null;
    }
  }

  /** Lower case, without the trailing dot of a fully qualified name ({@code example.com.} is {@code example.com}). */
  private static String normalize(String host) {
    String lower = host.trim().toLowerCase(Locale.ROOT);
    return lower.endsWith(".") && lower.length() > 1 ? lower.substring(0, lower.length() - 1) : lower;
  }
}

package dev.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.net.HostAndPort;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The Host allow-list: loopback names, IP literals, the allowed origins' hosts and the configured names")
class HostCheckTest {

  private static boolean allows(HostCheck check, String host) {
    return check.allows(HostAndPort.create(host, 8080));
  }

  @Test
  @DisplayName("by default only localhost and IP literals (which nobody can rebind) are answered")
  void defaults() {
    HostCheck check = new HostCheck(List.of(), List.of());
    for (String host : List.of("localhost", "LOCALHOST", "localhost.", "127.0.0.1", "10.0.0.7", "[::1]", "::1", "[fe80::1]")) {
      assertTrue(allows(check, host), host);
    }
    for (String host : List.of("evil.example", "localhost.evil.example", "127.0.0.1.evil.example", "1.2.3", "999.1.1.1", "")) {
      assertFalse(allows(check, host), host);
    }
    assertTrue(check.allows(null), "no Host at all (HTTP/1.0) is not a browser");
  }

  @Test
  @DisplayName("the hosts of the allowed origins are allowed; configured names add to them, a leading dot allows subdomains, * any")
  void configured() {
    HostCheck check = new HostCheck(List.of("gateway-1", ".svc.cluster.local"), List.of("https://Chat.Example.com", "*"));
    for (String host : List.of("chat.example.com", "gateway-1", "a.ns.svc.cluster.local", "localhost", "10.0.0.7")) {
      assertTrue(allows(check, host), host);
    }
    for (String host : List.of("example.com", "svc.cluster.local", "evil.example", "gateway-2")) {
      assertFalse(allows(check, host), host);
    }
    assertTrue(allows(new HostCheck(List.of("*"), List.of()), "anything.example"));
  }
}

package dev.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchboard.shared.config.SecuritySettings;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Per-client limits count an IPv6 client by its /64 and never forget a client with open connections")
class ClientLimitsTest {

  private static final SecuritySettings.Limits LIMITS = new SecuritySettings.Limits(1000, 1000, 2, 16);

  @Test
  @DisplayName("every address of one /64 shares one cap; the next /64 has its own")
  void ipv6ByPrefix() {
    ClientLimits limits = new ClientLimits(LIMITS);
    assertEquals(ClientLimits.Verdict.ADMITTED, limits.admit("2001:db8:0:0::1").verdict());
    assertEquals(ClientLimits.Verdict.ADMITTED, limits.admit("2001:db8::2").verdict());
    assertEquals(ClientLimits.Verdict.TOO_MANY, limits.admit("2001:db8::ffff:3").verdict());
    assertEquals(ClientLimits.Verdict.ADMITTED, limits.admit("2001:db8:0:1::1").verdict());
    assertEquals(2, limits.open("2001:0db8::9"));
  }

  @Test
  @DisplayName("past maxTrackedIps clients with open connections, a new client is refused, and admitted once one closes")
  void activeClientsBounded() {
    ClientLimits limits = new ClientLimits(LIMITS);
    ClientLimits.Permit first = limits.admit("10.0.0.0").permit();
    for (int i = 1; i < 16; i++) {
      assertEquals(ClientLimits.Verdict.ADMITTED, limits.admit("10.0.0." + i).verdict());
    }
    assertEquals(ClientLimits.Verdict.TOO_MANY_CLIENTS, limits.admit("10.0.1.0").verdict());
    assertEquals(ClientLimits.Verdict.ADMITTED, limits.admit("10.0.0.3").verdict(), "a known client may open more");
    first.release();
    assertEquals(ClientLimits.Verdict.ADMITTED, limits.admit("10.0.1.0").verdict());
  }
}

package dev.switchboard.gateway;

import dev.switchboard.shared.config.BridgeSettings;
import io.vertx.ext.bridge.BridgeOptions;
import io.vertx.ext.bridge.PermittedOptions;
import java.util.List;

/**
 * Turns the configured permission lists into bridge options: an entry is an exact address, or a regular
 * expression (matched against the whole address) when written {@code re:REGEX}. Empty lists permit nothing;
 * an entry is never turned into an empty {@link PermittedOptions}, which the bridges would read as "any address".
 */
final class BridgePermissions {

  private BridgePermissions() {
  }

  static <T extends BridgeOptions> T apply(T options, List<String> inbound, List<String> outbound) {
    inbound.forEach(entry -> options.addInboundPermitted(permitted(entry)));
    outbound.forEach(entry -> options.addOutboundPermitted(permitted(entry)));
    return options;
  }

  /** Whether {@code entries} permit {@code address}, as the bridge itself will judge it. */
  static boolean permits(List<String> entries, String address) {
    for (String entry : entries) {
      if (entry.startsWith(BridgeSettings.REGEX_PREFIX)
          ? address.matches(entry.substring(BridgeSettings.REGEX_PREFIX.length()))
          : entry.equals(address)) {
        return true;
      }
    }
    return false;
  }

  private static PermittedOptions permitted(String entry) {
    if (entry.startsWith(BridgeSettings.REGEX_PREFIX)) {
      return new PermittedOptions().setAddressRegex(entry.substring(BridgeSettings.REGEX_PREFIX.length()));
    }
    if (entry.isBlank()) {
      throw new IllegalArgumentException("empty bridge permission");
    }
    return new PermittedOptions().setAddress(entry);
  }
}

package dev.switchboard.deploy;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/** What a JVM runs; {@code all} (the default) means every role in one JVM. */
enum Role {
  GATEWAY, CONSUMERS, WORKER;

  String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses role arguments; none means all. Fails with a message that lists the valid names. */
  static Set<Role> parse(List<String> args) {
    EnumSet<Role> roles = EnumSet.noneOf(Role.class);
    for (String arg : args) {
      String name = arg.toLowerCase(Locale.ROOT);
      if (name.equals("all")) {
        roles.addAll(EnumSet.allOf(Role.class));
        continue;
      }
      Role role = Arrays.stream(values()).filter(r -> r.label().equals(name)).findFirst()
          .orElseThrow(() -> new IllegalArgumentException(
              "unknown role '" + arg + "': expected all, gateway, consumers or worker"));
      roles.add(role);
    }
    return roles.isEmpty() ? EnumSet.allOf(Role.class) : roles;
  }

  static String labels(Set<Role> roles) {
    return roles.stream().map(Role::label).collect(Collectors.joining(","));
  }
}

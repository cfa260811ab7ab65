package dev.switchboard.shared.channels;

import dev.switchboard.api.channels.GroupMember;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One node's copy of every group's members cluster-wide, kept from the presence stream each owning node
 * publishes. It answers listings and tells a group send which nodes hold members. Bounded by the owners'
 * bounds; a departed node's members are dropped at once. Not thread-safe: one context.
 */
final class PresenceView {

  private final Map<String, Map<String, GroupMember>> byGroup = new HashMap<>();

  /** Returns true when the member is new to this view. */
  boolean put(GroupMember member) {
    return byGroup.computeIfAbsent(member.group(), g -> new LinkedHashMap<>()).putIfAbsent(member.channel(), member) == null;
  }

  GroupMember remove(String group, String channel) {
    Map<String, GroupMember> members = byGroup.get(group);
    GroupMember removed = members == null ? null : members.remove(channel);
    if (members != null && members.isEmpty()) {
      byGroup.remove(group);
    }
    return removed;
  }

  /** Drops every member held by {@code node}; returns them. */
  List<GroupMember> removeNode(String node) {
    List<GroupMember> removed = new ArrayList<>();
    byGroup.values().forEach(members -> members.values().removeIf(member -> {
      boolean gone = member.node().equals(node);
      if (gone) {
        removed.add(member);
      }
      return gone;
    }));
    byGroup.values().removeIf(Map::isEmpty);
    return removed;
  }

  /** Each node holding members of {@code group}, with how many. */
  Map<String, Integer> nodes(String group) {
    Map<String, Integer> nodes = new HashMap<>();
    byGroup.getOrDefault(group, Map.of()).values().forEach(member -> nodes.merge(member.node(), 1, Integer::sum));
    return nodes;
  }

  List<GroupMember> members(String group) {
    return List.copyOf(byGroup.getOrDefault(group, Map.of()).values());
  }

  Set<String> groups() {
    return new TreeSet<>(byGroup.keySet());
  }
}

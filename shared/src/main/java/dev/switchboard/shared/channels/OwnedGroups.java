package dev.switchboard.shared.channels;

import dev.switchboard.api.channels.GroupMember;
import dev.switchboard.api.channels.GroupSendReport;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The memberships of the channels one node owns, with each member's outbox for the local fan-out. Not
 * thread-safe: used from one context (or under a lock). Bounded per channel and per group.
 */
final class OwnedGroups {

  private record Owned(GroupMember member, Outbox outbox) {
  }

  private final int maxGroupsPerChannel;
  private final int maxMembersPerGroup;
  private final Map<String, Map<String, Owned>> byGroup = new HashMap<>();
  private final Map<String, Set<String>> byChannel = new HashMap<>();

  OwnedGroups(int maxGroupsPerChannel, int maxMembersPerGroup) {
    this.maxGroupsPerChannel = maxGroupsPerChannel;
    this.maxMembersPerGroup = maxMembersPerGroup;
  }

  /**
   * Adds {@code member}; returns true when it is new, false when it was a member already. Throws an
   * IllegalStateException naming the bound when the channel or the group is full.
   */
  boolean add(GroupMember member, Outbox outbox) {
    Map<String, Owned> members = byGroup.get(member.group());
    if (members != null && members.containsKey(member.channel())) {
      return false;
    }
    Set<String> groups = byChannel.getOrDefault(member.channel(), Set.of());
    if (groups.size() >= maxGroupsPerChannel) {
      throw new IllegalStateException("channel " + member.channel() + " is already in " + groups.size()
          + " groups, the most allowed (channels.maxGroupsPerChannel)");
    }
    if (members != null && members.size() >= maxMembersPerGroup) {
      throw new IllegalStateException("group " + member.group() + " already has " + members.size()
          + " members on this node, the most allowed (channels.maxMembersPerGroup)");
    }
    byGroup.computeIfAbsent(member.group(), g -> new LinkedHashMap<>()).put(member.channel(), new Owned(member, outbox));
    byChannel.computeIfAbsent(member.channel(), c -> new LinkedHashSet<>()).add(member.group());
    return true;
  }

  /** Removes one membership; returns the member removed, or null when there was none. */
  GroupMember remove(String group, String channel) {
    Map<String, Owned> members = byGroup.get(group);
    Owned owned = members == null ? null : members.remove(channel);
    if (owned == null) {
      return null;
    }
    if (members.isEmpty()) {
      byGroup.remove(group);
    }
    Set<String> groups = byChannel.get(channel);
    groups.remove(group);
    if (groups.isEmpty()) {
      byChannel.remove(channel);
    }
    return owned.member();
  }

  /** Removes every membership of a closed channel; returns the members removed. */
  List<GroupMember> removeChannel(String channel) {
    Set<String> groups = byChannel.get(channel);
    List<GroupMember> removed = new ArrayList<>();
    if (groups != null) {
      for (String group : List.copyOf(groups)) {
        removed.add(remove(group, channel));
      }
    }
    return removed;
  }

  /** Offers {@code message} to every member of {@code group} here; the report covers this node only. */
  GroupSendReport deliver(String group, JsonObject message) {
    Map<String, Owned> members = byGroup.get(group);
    if (members == null) {
      return new GroupSendReport(group, 1, 1, 0, 0, Map.of());
    }
    int delivered = 0;
    Map<String, Integer> dropped = new TreeMap<>();
    for (Owned owned : members.values()) {
      switch (owned.outbox().offer(message)) {
        case DELIVERED -> delivered++;
        case CLOSED -> dropped.merge(GroupSendReport.CHANNEL_CLOSED, 1, Integer::sum);
        case TOO_SLOW -> dropped.merge(GroupSendReport.CLIENT_TOO_SLOW, 1, Integer::sum);
      }
    }
    return new GroupSendReport(group, 1, 1, 0, delivered, dropped);
  }

  List<GroupMember> members(String group) {
    Map<String, Owned> members = byGroup.get(group);
    return members == null ? List.of() : members.values().stream().map(Owned::member).toList();
  }

  List<String> groups() {
    return List.copyOf(byGroup.keySet());
  }

  List<GroupMember> all() {
    return byGroup.values().stream().flatMap(m -> m.values().stream()).map(Owned::member).toList();
  }
}

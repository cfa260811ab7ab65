package dev.switchboard.shared.channels;

import dev.switchboard.api.channels.GroupNames;
import dev.switchboard.shared.protocol.Addresses;

/** Checks group and channel names at the boundary, as Channels does, with messages that say what was expected. */
public final class ChannelNames {

  /** Channels' limit: group names shorter than 100 characters. */
  public static final int MAX_GROUP_LENGTH = GroupNames.MAX_LENGTH;

  private ChannelNames() {
  }

  /** The public rule, {@link GroupNames#valid}. */
  public static boolean validGroup(String group) {
    return GroupNames.valid(group);
  }

  /** Returns {@code group}, or throws an IllegalArgumentException naming it. */
  public static String requireGroup(String group) {
    if (!validGroup(group)) {
      throw new IllegalArgumentException("invalid group name \"" + group + "\": expected 1 to " + MAX_GROUP_LENGTH
          + " ASCII letters, digits, '-', '_' or '.'");
    }
    return group;
  }

  /** Returns the node that owns {@code channel}, or throws an IllegalArgumentException naming it. */
  public static String requireNode(String channel) {
    return Addresses.channelNode(channel).orElseThrow(() -> new IllegalArgumentException(
        "invalid channel name \"" + channel + "\": expected a Switchboard channel (switchboard.channel.<node>.<id>)"));
  }
}

package dev.switchboard.interop.channels;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Every channels_redis key and channel name the bridge uses, built in one place. A node's bridge holds one
 * channels_redis "process" of its own, {@code sb.<8 hex>!}: its member of bridged group {@code g} is the channel
 * {@code sb.<8 hex>!g}, and all of them share the one inbox key {@code <prefix>sb.<8 hex>!}, as every channel of
 * one Django process shares {@code <prefix>specific.<hex>!}.
 */
final class ChannelsRedisKeys {

  /** Channels' limit on channel names: shorter than 100 characters. */
  static final int MAX_CHANNEL_LENGTH = 99;
  private static final Pattern SWITCHBOARD_CHANNEL = Pattern.compile("sb\\.[0-9a-f]{8}!.*");
  private static final Pattern GROUP = Pattern.compile("[A-Za-z0-9_.\\-]+");

  private final String prefix;
  private final String process;

  ChannelsRedisKeys(String prefix) {
    this.prefix = prefix;
    this.process = "sb." + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()) + "!";
  }

  /** The sorted set of a group's member channels ({@code asgi:group:chat.lobby}). */
  String group(String group) {
    return prefix + ":group:" + group;
  }

  /** This node's member channel in {@code group}. */
  String member(String group) {
    return process + group;
  }

  /** The key this node's messages arrive on, for all its groups. */
  String inbox() {
    return prefix + process;
  }

  /** The group a channel of this node stands for, or null when {@code channel} is not one of ours. */
  String groupOf(String channel) {
    return channel != null && channel.startsWith(process) ? channel.substring(process.length()) : null;
  }

  /** The key a channel's messages are stored under: its name up to and including '!', with the prefix. */
  String channelKey(String channel) {
    int bang = channel.indexOf('!');
    return prefix + (bang < 0 ? channel : channel.substring(0, bang + 1));
  }

  /** True for any Switchboard node's member channel: those nodes deliver Switchboard's own group sends themselves. */
  static boolean isSwitchboard(String channel) {
    return SWITCHBOARD_CHANNEL.matcher(channel).matches();
  }

  /** Null when channels_redis can hold {@code group} with this node's member; else why not. */
  String refusal(String group) {
    if (!GROUP.matcher(group).matches()) {
      return "group \"" + group + "\" has characters channels_redis does not allow";
    }
    if (member(group).length() > MAX_CHANNEL_LENGTH) {
      return "group \"" + group + "\" is " + group.length() + " characters long: channels_redis channel names must be"
          + " shorter than 100 characters, so a bridged group may have at most "
          + (MAX_CHANNEL_LENGTH - process.length()) + " characters";
    }
    return null;
  }
}

package dev.switchboard.interop.channels;

import dev.switchboard.api.channels.GroupNames;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Every channels_redis key and channel name the bridge uses, built in one place. A node's bridge holds one
 * channels_redis "process" of its own, {@code sb.<8 hex>!}: its member of bridged group {@code g} is the channel
 * {@code sb.<8 hex>!g}, and all of them share the one inbox key {@code <prefix>sb.<8 hex>!}, as every channel of
 * one Django process shares {@code <prefix>specific.<hex>!}. A group too long for that channel name to stay under
 * Channels' 100 characters (Switchboard and Channels both allow groups of 99) is stood for by
 * {@code sb.<8 hex>!h.<32 hex>}, a SHA-256 digest of the group: every group the channel layer accepts is bridged.
 */
final class ChannelsRedisKeys {

  /** Channels' limit on channel names: shorter than 100 characters. */
  static final int MAX_CHANNEL_LENGTH = 99;
  private static final Pattern SWITCHBOARD_CHANNEL = Pattern.compile("sb\\.[0-9a-f]{8}!.*");

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

  /** This node's member channel in {@code group}: the group's name after the node's, or its digest when too long. */
  String member(String group) {
    String plain = process + group;
    if (plain.length() <= MAX_CHANNEL_LENGTH) {
      return plain;
    }
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(group.getBytes(StandardCharsets.UTF_8));
      return process + "h." + HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e); // every JVM has SHA-256
    }
  }

  /** The key this node's messages arrive on, for all its groups. */
  String inbox() {
    return prefix + process;
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

  /**
   * Null when channels_redis can hold {@code group}; else why not. The channel layer accepts no other group names
   * (Channels' rule is Switchboard's), so this only guards the bridge against a name that reached it another way.
   */
  String refusal(String group) {
    if (!GroupNames.valid(group)) {
      return "group \"" + group + "\" cannot be a channels_redis group: expected 1 to " + GroupNames.MAX_LENGTH
          + " ASCII letters, digits, '-', '_' or '.'";
    }
    return null;
  }
}

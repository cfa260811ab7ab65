package dev.switchboard.interop.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("channels_redis keys and the bridge's member channels")
class ChannelsRedisKeysTest {

  /** channels_redis 4.0's valid_channel_name for a process-local channel (channels/layers.py), and its length rule. */
  private static final Pattern CHANNEL = Pattern.compile("^[a-zA-Z\\d\\-_.]+(![\\d\\w\\-_.]*)?$");

  private final ChannelsRedisKeys keys = new ChannelsRedisKeys("asgi");

  private static void validChannel(String channel) {
    assertTrue(CHANNEL.matcher(channel).matches() && channel.length() < 100, channel);
  }

  @Test
  @DisplayName("a group that fits is named after it; every member of the node shares its inbox key")
  void plain() {
    String member = keys.member("chat.lobby");
    assertTrue(member.matches("sb\\.[0-9a-f]{8}!chat\\.lobby"), member);
    validChannel(member);
    assertEquals("asgi:group:chat.lobby", keys.group("chat.lobby"));
    assertEquals(keys.inbox(), keys.channelKey(member));
    assertTrue(ChannelsRedisKeys.isSwitchboard(member));
    assertEquals("asgispecific.ab12!", keys.channelKey("specific.ab12!cd34"));
  }

  @Test
  @DisplayName("a group of up to 99 characters is stood for by a digest that keeps the channel under 100, distinct per group")
  void longest() {
    String a = "a".repeat(99);
    String b = "a".repeat(98) + "b";
    validChannel(keys.member(a));
    validChannel(keys.member(b));
    assertNotEquals(keys.member(a), keys.member(b));
    assertEquals(keys.member(a), keys.member(a));
    assertEquals(keys.inbox(), keys.channelKey(keys.member(a)));
    assertNull(keys.refusal(a));
  }

  @Test
  @DisplayName("a name no channel layer accepts is refused, saying what is expected")
  void refused() {
    for (String bad : new String[] {"chat lobby", "a".repeat(100), "", "caf\u00e9"}) {
      assertNotNull(keys.refusal(bad), bad);
      assertTrue(keys.refusal(bad).contains("1 to 99"), keys.refusal(bad));
    }
  }
}

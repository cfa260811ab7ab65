package dev.switchboard.shared.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.api.protocol.Asgi;
import dev.switchboard.shared.protocol.Addresses;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class AsgiWireCodecTest {

  private final AsgiWireCodec codec = new AsgiWireCodec();

  /** Encodes after a prefix (as the event bus does, behind its own header), decodes from there. */
  private JsonObject roundTrip(JsonObject event) {
    Buffer wire = Buffer.buffer().appendString("header");
    codec.encodeToWire(wire, event);
    return codec.decodeFromWire(6, wire);
  }

  private static int wireSize(AsgiWireCodec codec, JsonObject event) {
    Buffer wire = Buffer.buffer();
    codec.encodeToWire(wire, event);
    return wire.length();
  }

  @Test
  @DisplayName("websocket events cross the wire unchanged, non-ASCII text and unknown types included")
  void compactEventsRoundTrip() {
    String channel = "switchboard.channel.node-1.abc";
    for (JsonObject event : new JsonObject[] {
        Asgi.receiveText(channel, "héllo ☃ 𝄞"),
        Asgi.sendText(""),
        Asgi.sendText("x".repeat(1024)),   // as long as the decoder's scratch array
        Asgi.sendText("é".repeat(1000)),   // longer: 2,000 bytes
        Asgi.disconnect(channel, 1006),
        Asgi.close(4000, "bye"),
        new JsonObject().put(Asgi.TYPE, Asgi.ACCEPT),
        new JsonObject().put(Asgi.TYPE, "chat.message").put(Asgi.TEXT, "hi").put(Asgi.CHANNEL, channel)}) {
      assertTrue(AsgiWireCodec.compactMask(event) >= 0, "compact: " + event);
      assertEquals(event, roundTrip(event));
    }
  }

  @Test
  @DisplayName("binary payloads travel raw and arrive as a Buffer, smaller than JSON's base64")
  void bytesTravelRaw() {
    byte[] payload = new byte[1024];
    for (int i = 0; i < payload.length; i++) {
      payload[i] = (byte) i;
    }
    JsonObject event = Asgi.receiveBytes("switchboard.channel.n.c", Buffer.buffer(payload));
    JsonObject decoded = roundTrip(event);
    assertInstanceOf(Buffer.class, decoded.getMap().get(Asgi.BYTES));
    assertEquals(Buffer.buffer(payload), decoded.getBuffer(Asgi.BYTES));
    assertTrue(AsgiWireCodec.compactMask(event) >= 0);
    assertTrue(wireSize(codec, event) < 1024 + 64, "compact size " + wireSize(codec, event));
    assertTrue(event.toBuffer().length() > 1024 * 4 / 3, "JSON size " + event.toBuffer().length());
  }

  @Test
  @DisplayName("any other JSON (group messages with their own fields, nulls, numbers, nesting) travels as JSON")
  void otherEventsFallBackToJson() {
    JsonObject group = new JsonObject().put(Asgi.TYPE, "chat.message").put("room", "lobby")
        .put("message", new JsonObject().put("n", 3).put("list", new JsonArray().add(1).addNull()))
        .put("ts", 1234567890123L);
    JsonObject nullText = new JsonObject().put(Asgi.TYPE, Asgi.SEND).putNull(Asgi.TEXT);
    JsonObject longCode = new JsonObject().put(Asgi.TYPE, Asgi.CLOSE).put(Asgi.CODE, 1000L);
    JsonObject noType = new JsonObject().put(Asgi.TEXT, "x");
    for (JsonObject event : new JsonObject[] {group, nullText, longCode, noType}) {
      assertEquals(-1, AsgiWireCodec.compactMask(event), "not compact: " + event);
      assertEquals(event, roundTrip(event));
    }
  }

  @Test
  @DisplayName("a local delivery gets a copy: the receiver's changes never reach the sender")
  void localDeliveryCopies() {
    JsonObject event = Asgi.sendText("x");
    JsonObject local = codec.transform(event);
    local.put(Asgi.TEXT, "changed");
    assertEquals("x", event.getString(Asgi.TEXT));
  }

  @Test
  @DisplayName("an inbox delivery carries its channel beside the event, both unchanged; locally the event is copied")
  void channelEventRoundTrip() {
    ChannelEvent.Codec inbox = new ChannelEvent.Codec();
    String channel = "switchboard.channel.node-1.é";
    for (JsonObject event : new JsonObject[] {Asgi.sendText("héllo"), Asgi.close(1000, "bye"),
        new JsonObject().put(Asgi.TYPE, "chat.message").put("n", 3)}) {
      Buffer wire = Buffer.buffer().appendString("header");
      inbox.encodeToWire(wire, new ChannelEvent(channel, event));
      assertEquals(new ChannelEvent(channel, event), inbox.decodeFromWire(6, wire));
    }
    JsonObject event = Asgi.sendText("x");
    inbox.transform(new ChannelEvent(channel, event)).event().put(Asgi.TEXT, "changed");
    assertEquals("x", event.getString(Asgi.TEXT));
  }

  @Test
  @DisplayName("a channel's events go to the inbox of the gateway instance its name carries, else to its node's")
  void channelInboxes() {
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("switchboard.channel.n1.3.c", Addresses.inbox("n1", 3));
    expected.put("switchboard.channel.n1.3.d", Addresses.inbox("n1", 3));
    expected.put("switchboard.channel.n1.3", Addresses.inbox("n1"));
    expected.put("switchboard.channel.n1.3.", Addresses.inbox("n1"));
    expected.put("switchboard.channel.n1.34.c", Addresses.inbox("n1", 34));
    expected.put("switchboard.channel.n2.34.c", Addresses.inbox("n2", 34));
    expected.put("switchboard.channel.n1.34x.c", Addresses.inbox("n1"));
    expected.put("switchboard.channel.n1.1234567890.c", Addresses.inbox("n1"));
    expected.put("switchboard.channel.n1.c", Addresses.inbox("n1"));
    expected.put("switchboard.channel.n1.c3.c", Addresses.inbox("n1"));
    expected.put(Addresses.newChannel("node-a", 7), Addresses.inbox("node-a", 7));
    expected.put(Addresses.newChannel("node-a"), Addresses.inbox("node-a"));
    for (int round = 0; round < 2; round++) {   // the second round from ChannelInbox's remembered instance
      expected.forEach((channel, inbox) -> {
        assertEquals(inbox, Addresses.channelInbox(channel).orElseThrow(), channel);
        assertEquals(inbox, ChannelInbox.inboxOf(channel), channel);
        assertEquals(inbox, ChannelInbox.inboxOf(channel), channel + " again");
      });
    }
    assertTrue(Addresses.channelInbox("switchboard.channel.n1").isEmpty());
    assertThrows(IllegalArgumentException.class, () -> ChannelInbox.inboxOf("other.channel.n1.3.c"));
  }
}

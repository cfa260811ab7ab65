package dev.switchboard.shared.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.api.protocol.Asgi;
import dev.switchboard.shared.protocol.Addresses;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
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
  @DisplayName("the inbox's channel-to-node test agrees with the channel name's parsing")
  void channelOnNodeAgreesWithChannelNode() {
    for (String channel : new String[] {"switchboard.channel.n1.c", "switchboard.channel.n1.", "switchboard.channel.n1",
        "switchboard.channel.n12.c", "switchboard.channel.n.c", "switchboard.channel..c", "other.channel.n1.c",
        "switchboard.channel.n1.c.d", null}) {
      for (String node : new String[] {"n1", "n", "n12", ""}) {
        assertEquals(Addresses.channelNode(channel).filter(node::equals).isPresent(), Addresses.channelOnNode(channel, node),
            channel + " on " + node);
      }
      assertEquals(Addresses.channelNode(channel).map(Addresses::inbox).orElse(null),
          channel == null || Addresses.channelNode(channel).isEmpty() ? null : ChannelInbox.inboxOf(channel));
    }
  }
}

package dev.switchboard.shared.channels;

import dev.switchboard.api.protocol.Asgi;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The per-connection ASGI events ({@code websocket.receive/send/close/disconnect...}) between JVM nodes, in a
 * compact binary form instead of JSON text: a type byte, a field mask, then each field as its length and its UTF-8
 * bytes (binary payloads raw, not base64). An event with any other field or value type travels as JSON, so every
 * {@link JsonObject} is carried unchanged; the receiver always gets a {@code JsonObject} (binary payloads as a
 * {@link Buffer}, read with {@code getBuffer}). Only the event bus between Switchboard nodes speaks it: the
 * bridges still get and send JSON. Stateless; registered once per Vert.x instance by {@link ChannelLayerVerticle},
 * which every node deploys first.
 */
public final class AsgiWireCodec implements MessageCodec<JsonObject, JsonObject> {

  public static final String NAME = "switchboard.asgi";
  /** Delivery with this codec and nothing else: shared, never modified. */
  public static final DeliveryOptions DELIVERY = new DeliveryOptions().setCodecName(NAME);

  private static final int SCRATCH_BYTES = 1024;
  private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[SCRATCH_BYTES]);
  private static final byte JSON = 0;
  private static final byte COMPACT = 1;
  /** Types sent as one byte; any other type travels as its string (index {@link #OTHER_TYPE}). */
  private static final List<String> TYPES = List.of(Asgi.RECEIVE, Asgi.SEND, Asgi.CLOSE, Asgi.DISCONNECT, Asgi.ACCEPT, Asgi.CONNECT);
  private static final byte OTHER_TYPE = (byte) 0xFF;
  private static final int CHANNEL = 1;
  private static final int TEXT = 2;
  private static final int BYTES = 4;
  private static final int CODE = 8;
  private static final int REASON = 16;

  /** Registers the codec, and the inbox's {@link ChannelEvent} codec built on it, on {@code bus}; once per Vert.x instance. */
  public static void register(EventBus bus) {
    bus.registerCodec(new AsgiWireCodec());
    bus.registerCodec(new ChannelEvent.Codec());
  }

  public static void unregister(EventBus bus) {
    bus.unregisterCodec(NAME);
    bus.unregisterCodec(ChannelEvent.Codec.NAME);
  }

  @Override
  public void encodeToWire(Buffer buffer, JsonObject event) {
    int mask = compactMask(event);
    if (mask < 0) {
      buffer.appendByte(JSON);
      appendBytes(buffer, event.toBuffer());
      return;
    }
    buffer.appendByte(COMPACT);
    String type = event.getString(Asgi.TYPE);
    int known = TYPES.indexOf(type);
    buffer.appendByte(known >= 0 ? (byte) known : OTHER_TYPE);
    if (known < 0) {
      appendString(buffer, type);
    }
    buffer.appendByte((byte) mask);
    if ((mask & CHANNEL) != 0) {
      appendString(buffer, event.getString(Asgi.CHANNEL));
    }
    if ((mask & TEXT) != 0) {
      appendString(buffer, event.getString(Asgi.TEXT));
    }
    if ((mask & BYTES) != 0) {
      appendBytes(buffer, event.getBuffer(Asgi.BYTES));
    }
    if ((mask & CODE) != 0) {
      buffer.appendInt(event.getInteger(Asgi.CODE));
    }
    if ((mask & REASON) != 0) {
      appendString(buffer, event.getString(Asgi.REASON));
    }
  }

  @Override
  public JsonObject decodeFromWire(int pos, Buffer buffer) {
    byte format = buffer.getByte(pos++);
    if (format == JSON) {
      int length = buffer.getInt(pos);
      return new JsonObject(buffer.slice(pos + 4, pos + 4 + length));
    }
    byte known = buffer.getByte(pos++);
    String type;
    if (known == OTHER_TYPE) {
      int length = buffer.getInt(pos);
      type = readUtf8(buffer, pos + 4, length);
      pos += 4 + length;
    } else {
      type = TYPES.get(known);
    }
    int mask = buffer.getByte(pos++);
    // sized for its fields: a JSON object's default map has room for 12
    int fields = 1 + Integer.bitCount(mask);
    JsonObject event = new JsonObject(new LinkedHashMap<>((fields * 4 + 2) / 3)).put(Asgi.TYPE, type);
    if ((mask & CHANNEL) != 0) {
      pos = readString(buffer, pos, event, Asgi.CHANNEL);
    }
    if ((mask & TEXT) != 0) {
      pos = readString(buffer, pos, event, Asgi.TEXT);
    }
    if ((mask & BYTES) != 0) {
      int length = buffer.getInt(pos);
      event.put(Asgi.BYTES, buffer.getBuffer(pos + 4, pos + 4 + length));
      pos += 4 + length;
    }
    if ((mask & CODE) != 0) {
      event.put(Asgi.CODE, buffer.getInt(pos));
      pos += 4;
    }
    if ((mask & REASON) != 0) {
      readString(buffer, pos, event, Asgi.REASON);
    }
    return event;
  }

  /** Local delivery: a copy, as Vert.x's own JSON codec gives, so that neither side sees the other's changes. */
  @Override
  public JsonObject transform(JsonObject event) {
    return event.copy();
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }

  /** The fields present, or -1 when the event has a field or value the compact form does not carry. */
  static int compactMask(JsonObject event) {
    if (!(event.getValue(Asgi.TYPE) instanceof String)) {
      return -1;
    }
    int mask = 0;
    for (Map.Entry<String, Object> field : event.getMap().entrySet()) {   // raw values: the iterator shows a Buffer as base64
      Object value = field.getValue();
      int bit = switch (field.getKey()) {
        case Asgi.TYPE -> 0;
        case Asgi.CHANNEL -> value instanceof String ? CHANNEL : -1;
        case Asgi.TEXT -> value instanceof String ? TEXT : -1;
        case Asgi.BYTES -> value instanceof Buffer || value instanceof byte[] ? BYTES : -1;
        case Asgi.CODE -> value instanceof Integer ? CODE : -1;
        case Asgi.REASON -> value instanceof String ? REASON : -1;
        default -> -1;
      };
      if (bit < 0) {
        return -1;
      }
      mask |= bit;
    }
    return mask;
  }

  static void appendString(Buffer buffer, String value) {
    int at = buffer.length();
    buffer.appendInt(0).appendString(value);
    buffer.setInt(at, buffer.length() - at - 4);
  }

  private static void appendBytes(Buffer buffer, Buffer bytes) {
    buffer.appendInt(bytes.length()).appendBuffer(bytes);
  }

  private static int readString(Buffer buffer, int pos, JsonObject event, String key) {
    int length = buffer.getInt(pos);
    event.put(key, readUtf8(buffer, pos + 4, length));
    return pos + 4 + length;
  }

  /**
   * The UTF-8 string of {@code length} bytes at {@code start}, copied once (into the String) through a per-thread
   * scratch array; {@code Buffer.getString} copies twice (the bytes, then the String), on every event's channel and text.
   */
  static String readUtf8(Buffer buffer, int start, int length) {
    if (length > SCRATCH_BYTES) {
      return buffer.getString(start, start + length);
    }
    byte[] scratch = SCRATCH.get();
    buffer.getBytes(start, start + length, scratch);
    return new String(scratch, 0, length, StandardCharsets.UTF_8);
  }
}

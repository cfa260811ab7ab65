package dev.switchboard.interop.channels;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.Value;
import org.msgpack.value.ValueType;

/**
 * A channels_redis 4 message on the wire: 12 random bytes (channels_redis keeps messages in sorted sets, which
 * need unique members), then the message as msgpack ({@code use_bin_type}), Fernet-encrypted when the layer has
 * {@code symmetric_encryption_keys}. JSON maps to msgpack one to one, except that msgpack {@code bin} has no JSON
 * counterpart: a message carrying bytes is refused rather than altered. Stateless and thread-safe.
 */
final class AsgiMessageCodec {

  static final int RANDOM_PREFIX = 12;

  private final Fernet fernet;

  /** {@code fernet} is null when messages are not encrypted. */
  AsgiMessageCodec(Fernet fernet) {
    this.fernet = fernet;
  }

  /** What channels_redis' {@code serialize} writes for {@code message}. */
  Buffer encode(JsonObject message) {
    byte[] packed = pack(message);
    byte[] body = fernet == null ? packed : fernet.encrypt(packed);
    byte[] prefix = new byte[RANDOM_PREFIX];
    ThreadLocalRandom.current().nextBytes(prefix);
    return Buffer.buffer(RANDOM_PREFIX + body.length).appendBytes(prefix).appendBytes(body);
  }

  /**
   * The message in {@code payload}, as channels_redis' {@code deserialize} reads it; throws an
   * IllegalArgumentException saying why when it is not a msgpack map of JSON values, or does not decrypt.
   */
  JsonObject decode(Buffer payload, int ttlSeconds) {
    if (payload.length() <= RANDOM_PREFIX) {
      throw new IllegalArgumentException("a channels_redis message of " + payload.length() + " bytes: too short");
    }
    byte[] body = payload.getBytes(RANDOM_PREFIX, payload.length());
    if (fernet != null) {
      body = fernet.decrypt(body, ttlSeconds);
    }
    try (MessageUnpacker unpacker = MessagePack.newDefaultUnpacker(body)) {
      Value value = unpacker.unpackValue();
      if (!value.isMapValue()) {
        throw new IllegalArgumentException("a channels_redis message must be a map, got " + value.getValueType());
      }
      return (JsonObject) toJson(value);
    } catch (IOException e) {
      throw new IllegalArgumentException("a channels_redis message is not valid msgpack: " + e.getMessage(), e);
    }
  }

  private static Object toJson(Value value) {
    return switch (value.getValueType()) {
      case NIL -> null;
      case BOOLEAN -> value.asBooleanValue().getBoolean();
      case INTEGER -> value.asIntegerValue().isInLongRange() ? (Object) value.asIntegerValue().toLong()
          : value.asIntegerValue().toBigInteger().toString();
      case FLOAT -> value.asFloatValue().toDouble();
      case STRING -> value.asStringValue().asString();
      case ARRAY -> {
        JsonArray array = new JsonArray();
        value.asArrayValue().forEach(item -> array.add(toJson(item)));
        yield array;
      }
      case MAP -> {
        JsonObject object = new JsonObject();
        for (Map.Entry<Value, Value> entry : value.asMapValue().entrySet()) {
          if (entry.getKey().getValueType() != ValueType.STRING) {
            throw new IllegalArgumentException("a map key of type " + entry.getKey().getValueType() + " has no JSON form");
          }
          object.put(entry.getKey().asStringValue().asString(), toJson(entry.getValue()));
        }
        yield object;
      }
      case BINARY, EXTENSION -> throw new IllegalArgumentException(
          "msgpack " + value.getValueType().name().toLowerCase() + " values have no JSON form: the message is not bridged");
    };
  }

  static byte[] pack(JsonObject message) {
    try (MessageBufferPacker packer = MessagePack.newDefaultBufferPacker()) {
      write(packer, message);
      return packer.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void write(MessageBufferPacker packer, Object value) throws IOException {
    if (value == null) {
      packer.packNil();
    } else if (value instanceof JsonObject object) {
      packer.packMapHeader(object.size());
      for (Map.Entry<String, Object> entry : object) {
        packer.packString(entry.getKey());
        write(packer, entry.getValue());
      }
    } else if (value instanceof Map<?, ?> map) {
      write(packer, new JsonObject(castMap(map)));
    } else if (value instanceof JsonArray array) {
      packer.packArrayHeader(array.size());
      for (Object item : array) {
        write(packer, item);
      }
    } else if (value instanceof List<?> list) {
      write(packer, new JsonArray(List.copyOf(list)));
    } else if (value instanceof String text) {
      packer.packString(text);
    } else if (value instanceof Boolean bool) {
      packer.packBoolean(bool);
    } else if (value instanceof Double || value instanceof Float) {
      packer.packDouble(((Number) value).doubleValue());
    } else if (value instanceof Number number) {
      packer.packLong(number.longValue());
    } else {
      packer.packString(value.toString());
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> castMap(Map<?, ?> map) {
    return (Map<String, Object>) map;
  }
}

package dev.switchboard.shared.channels;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.JsonObject;

/**
 * An event on its way to a channel through its node's inbox ({@link ChannelInbox}), the channel named in the body.
 * The JVM nodes send this instead of an event with a {@code channel} header: a header costs a {@link DeliveryOptions}
 * and a header map per send, and its encoding, decoding and map again at the other end, on every event of every
 * socket. Bridge clients, which cannot name a codec, still send the header form; the inbox takes both.
 */
record ChannelEvent(String channel, JsonObject event) {

  /** Delivery in {@link Codec}, and nothing else: shared, never modified. */
  static final DeliveryOptions DELIVERY = new DeliveryOptions().setCodecName(Codec.NAME);

  /** The channel, then the event in {@link AsgiWireCodec}'s form. Stateless; registered with {@link AsgiWireCodec}. */
  static final class Codec implements MessageCodec<ChannelEvent, ChannelEvent> {

    static final String NAME = "switchboard.channel-event";
    private final AsgiWireCodec events = new AsgiWireCodec();

    @Override
    public void encodeToWire(Buffer buffer, ChannelEvent delivery) {
      AsgiWireCodec.appendString(buffer, delivery.channel());
      events.encodeToWire(buffer, delivery.event());
    }

    @Override
    public ChannelEvent decodeFromWire(int pos, Buffer buffer) {
      int length = buffer.getInt(pos);
      String channel = AsgiWireCodec.readUtf8(buffer, pos + 4, length);
      return new ChannelEvent(channel, events.decodeFromWire(pos + 4 + length, buffer));
    }

    /** Local delivery: the event copied, as {@link AsgiWireCodec#transform} does. */
    @Override
    public ChannelEvent transform(ChannelEvent delivery) {
      return new ChannelEvent(delivery.channel(), events.transform(delivery.event()));
    }

    @Override
    public String name() {
      return NAME;
    }

    @Override
    public byte systemCodecID() {
      return -1;
    }
  }
}

package dev.switchboard.shared.channels;

import dev.switchboard.shared.protocol.Addresses;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

/**
 * Delivery to channels by node: a sender addresses the channel's owning node ({@link Addresses#inbox}) with the
 * channel in a header, and that node's one inbox consumer hands the event to the socket's {@link Outbox}, as
 * Channels' {@code specific.<process>!<local>} names do. This replaces a clustered event-bus consumer per socket
 * (a Hazelcast registration replicated to every member on each connect and close, and two unbounded queues per
 * socket). Order per channel holds: one sender's events travel one cluster connection to one consumer and are
 * offered in order to the socket's own context. At most once: an event for a channel that is not open (closed,
 * or never there) is dropped and counted ({@link LayerStats#channelDropped}).
 */
public final class ChannelInbox {

  private ChannelInbox() {
  }

  /**
   * Sends {@code event} to {@code channel} wherever its socket is; never fails here (delivery is at most once).
   * Throws IllegalArgumentException when {@code channel} is not a Switchboard channel name.
   */
  public static void send(EventBus bus, String channel, JsonObject event) {
    String node = ChannelNames.requireNode(channel);
    bus.send(Addresses.inbox(node), event,
        new DeliveryOptions().setCodecName(AsgiWireCodec.NAME).addHeader(Addresses.CHANNEL_HEADER, channel));
  }

  /** Registers this node's inbox (cluster-wide); completes once other nodes can reach it. Once per node. */
  public static Future<MessageConsumer<JsonObject>> register(EventBus bus, String nodeId, LocalChannels channels,
                                                             LayerStats stats) {
    MessageConsumer<JsonObject> consumer = bus.consumer(Addresses.inbox(nodeId), msg -> dispatch(msg, channels, stats));
    return consumer.completion().map(consumer);
  }

  private static void dispatch(Message<JsonObject> msg, LocalChannels channels, LayerStats stats) {
    String channel = msg.headers().get(Addresses.CHANNEL_HEADER);
    Outbox outbox = channel == null ? null : channels.find(channel);
    if (outbox == null) {
      stats.channelDropped(Outbox.Result.CLOSED);
      return;
    }
    Outbox.Result result = outbox.offer(msg.body());
    if (result == Outbox.Result.DELIVERED) {
      stats.channelDelivered();
    } else {
      stats.channelDropped(result);
    }
  }
}

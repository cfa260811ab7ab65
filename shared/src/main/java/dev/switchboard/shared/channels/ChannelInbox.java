package dev.switchboard.shared.channels;

import dev.switchboard.shared.protocol.Addresses;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

/**
 * Delivery to channels by node: a sender addresses the channel's owning node ({@link Addresses#channelInbox}: the inbox
 * of the gateway instance, on the socket's event loop, that the channel names, else the node's) with the channel in the
 * body ({@link ChannelEvent}; bridge clients send to the node's inbox and name it in a {@link Addresses#CHANNEL_HEADER}
 * header), and that inbox's consumer hands the event to the socket's {@link Outbox}, as
 * Channels' {@code specific.<process>!<local>} names do. This replaces a clustered event-bus consumer per socket
 * (a Hazelcast registration replicated to every member on each connect and close, and two unbounded queues per
 * socket). Order per channel holds: one sender's events travel one cluster connection to one consumer and are
 * offered in order to the socket's own context. At most once: an event for a channel that is not open (closed,
 * or never there) is dropped and counted ({@link LayerStats#channelDropped}).
 */
public final class ChannelInbox {

  /**
   * The gateway instance last sent to: the start of its channels' names and its inbox. A node's sends go to a handful
   * of instances, so this spares parsing the channel name and building the address (and Vert.x hashing a new address
   * string) on most events.
   */
  private static volatile InstanceInbox last = new InstanceInbox("\0", "");

    private ChannelInbox() {
  }

  /**
   * Sends {@code event} to {@code channel} wherever its socket is; never fails here (delivery is at most once).
   * Throws IllegalArgumentException when {@code channel} is not a Switchboard channel name.
   */
  public static void send(EventBus bus, String channel, JsonObject event) {
    bus.send(inboxOf(channel), new ChannelEvent(channel, event), ChannelEvent.DELIVERY);
  }

  static String inboxOf(String channel) {
    InstanceInbox known = last;
    if (channel != null && channel.length() > known.prefix().length() && channel.startsWith(known.prefix())) {
      return known.address();
    }
    String node = ChannelNames.requireNode(channel);
    String address = Addresses.channelInbox(channel).orElseThrow();
    String prefix = Addresses.channelInstancePrefix(channel, node);
    if (prefix != null) {
      last = new InstanceInbox(prefix, address);
    }
    return address;
  }

  /** Registers this node's inbox (cluster-wide); completes once other nodes can reach it. Once per node. */
  public static Future<MessageConsumer<Object>> register(EventBus bus, String nodeId, LocalChannels channels,
                                                         LayerStats stats) {
    return registerAt(bus, Addresses.inbox(nodeId), channels, stats);
  }

  /**
   * Registers a gateway instance's own inbox ({@link Addresses#inbox(String, int)}), from the instance's context: events
   * for the channels it holds arrive on its event loop. Completes once other nodes can reach it.
   */
  public static Future<MessageConsumer<Object>> registerAt(EventBus bus, String address, LocalChannels channels,
                                                           LayerStats stats) {
    MessageConsumer<Object> consumer = bus.consumer(address, msg -> dispatch(msg, channels, stats));
    return consumer.completion().map(consumer);
  }

  private static void dispatch(Message<Object> msg, LocalChannels channels, LayerStats stats) {
    String channel;
    JsonObject event;
    if (msg.body() instanceof ChannelEvent delivery) {
      channel = delivery.channel();
      event = delivery.event();
    } else {
      channel = msg.headers().get(Addresses.CHANNEL_HEADER);   // a bridge client's send
      event = msg.body() instanceof JsonObject json ? json : null;
    }
    Outbox outbox = channel == null || event == null ? null : channels.find(channel);
    if (outbox == null) {
      stats.channelDropped(Outbox.Result.CLOSED);
      return;
    }
    String bridgeSender = msg.headers().get(Addresses.BRIDGE_SENDER_HEADER);
    if (bridgeSender != null && !servedBy(outbox, bridgeSender)) {
      stats.channelDropped(Outbox.Result.NOT_PERMITTED);
      return;
    }
    Outbox.Result result = outbox.offer(event);
    if (result == Outbox.Result.DELIVERED) {
      stats.channelDelivered();
    } else {
      stats.channelDropped(result);
    }
  }

  /** Whether the consumer {@code outbox} was routed to has its address among the space-separated {@code registered}. */
  public static boolean servedBy(Outbox outbox, String registered) {
    String instance = outbox.consumerAddress();
    if (instance == null || instance.isEmpty()) {
      return false;
    }
    int at = registered.indexOf(instance);
    while (at >= 0) {
      int end = at + instance.length();
      if ((at == 0 || registered.charAt(at - 1) == ' ') && (end == registered.length() || registered.charAt(end) == ' ')) {
        return true;
      }
      at = registered.indexOf(instance, at + 1);
    }
    return false;
  }

  private record InstanceInbox(String prefix, String address) {
  }
}

package dev.switchboard.shared.channels;

import dev.switchboard.shared.protocol.Addresses;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The channels open on this node (one Vert.x instance), each with its {@link Outbox}. The gateway opens a
 * channel before its consumer hears the connect and closes it with the socket; closing announces the
 * channel on {@link Addresses#CHANNEL_CLOSED} so the channel layer drops its memberships at once.
 * Thread-safe.
 */
public final class LocalChannels {

  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);

  private final Vertx vertx;
  private final Map<String, Outbox> open;

  private LocalChannels(Vertx vertx, Map<String, Outbox> open) {
    this.vertx = vertx;
    this.open = open;
  }

  /** The node's registry: created once by its composition root, handed to the channel layer and the gateway. */
  public static LocalChannels create(Vertx vertx) {
    return new LocalChannels(vertx, new ConcurrentHashMap<>());
  }

  /**
   * A view over the Vert.x instance's local map, for verticles deployed one by one without a node (tests of a
   * single verticle): each such verticle's view sees the same channels.
   */
  public static LocalChannels of(Vertx vertx) {
    return new LocalChannels(vertx, vertx.sharedData().<String, Outbox>getLocalMap("switchboard.channels.open"));
  }

  public void open(String channel, Outbox outbox) {
    open.put(channel, outbox);
  }

  /** Forgets {@code channel} and announces it closed; closing twice announces once. */
  public void close(String channel) {
    if (open.remove(channel) != null) {
      vertx.eventBus().publish(Addresses.CHANNEL_CLOSED, channel, LOCAL);
    }
  }

  /** The outbox of {@code channel}, or null when it is not open on this node. */
  public Outbox find(String channel) {
    return open.get(channel);
  }

  public int size() {
    return open.size();
  }
}

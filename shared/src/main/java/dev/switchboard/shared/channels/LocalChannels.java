package dev.switchboard.shared.channels;

import dev.switchboard.shared.protocol.Addresses;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.shareddata.LocalMap;

/**
 * The channels open on this node (one Vert.x instance), each with its {@link Outbox}. The gateway opens a
 * channel before its consumer hears the connect and closes it with the socket; closing announces the
 * channel on {@link Addresses#CHANNEL_CLOSED} so the channel layer drops its memberships at once.
 * Thread-safe: a view over a Vert.x local map.
 */
public final class LocalChannels {

  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);

  private final Vertx vertx;
  private final LocalMap<String, Outbox> open;

  private LocalChannels(Vertx vertx) {
    this.vertx = vertx;
    this.open = vertx.sharedData().getLocalMap("switchboard.channels.open");
  }

  public static LocalChannels of(Vertx vertx) {
    return new LocalChannels(vertx);
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

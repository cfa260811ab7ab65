package dev.switchboard.shared.channels;

import dev.switchboard.api.channels.PresenceEvent;
import dev.switchboard.api.channels.GroupMember;
import dev.switchboard.api.channels.GroupSendReport;
import dev.switchboard.api.channels.ChannelLayer;
import dev.switchboard.shared.cluster.ClusterMembership;
import dev.switchboard.shared.protocol.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * A channel layer for one JVM and nothing else, Channels' {@code InMemoryChannelLayer}: no service to
 * deploy, every member local. For tests and single-process tools; it keeps the same contract as
 * {@link EventBusChannelLayer} (the contract test runs against both). Thread-safe.
 */
public final class InMemoryChannelLayer implements ChannelLayer, AutoCloseable {

  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);

  private final Vertx vertx;
  private final LocalChannels channels;
  private final String nodeId;
  private final OwnedGroups owned;
  private final MessageConsumer<String> closed;

  public InMemoryChannelLayer(Vertx vertx, int maxGroupsPerChannel, int maxMembersPerGroup) {
    this.vertx = vertx;
    this.channels = LocalChannels.of(vertx);
    this.nodeId = ClusterMembership.of(vertx).nodeId();
    this.owned = new OwnedGroups(maxGroupsPerChannel, maxMembersPerGroup);
    this.closed = vertx.eventBus().localConsumer(Addresses.CHANNEL_CLOSED, msg -> channelClosed(msg.body()));
  }

  @Override
  public Future<Void> send(String channel, JsonObject message) {
    return run(() -> {
      ChannelNames.requireNode(channel);
      Outbox outbox = channels.find(channel);
      if (outbox != null) {
        outbox.offer(message);   // at most once: a channel not open here drops it, as the event-bus layer does
      }
      return null;
    });
  }

  @Override
  public Future<Void> groupAdd(String group, String channel, JsonObject meta) {
    return run(() -> {
      ChannelNames.requireGroup(group);
      ChannelNames.requireNode(channel);
      Outbox outbox = channels.find(channel);
      if (outbox == null) {
        throw new IllegalStateException("groupAdd(" + group + ", " + channel + "): channel is not open on node " + nodeId);
      }
      GroupMember member = new GroupMember(group, channel, nodeId, meta == null ? new JsonObject() : meta,
          System.currentTimeMillis());
      boolean added;
      synchronized (this) {
        added = owned.add(member, outbox);
      }
      if (added) {
        vertx.eventBus().publish(Addresses.presence(group), PresenceEvent.join(member), LOCAL);
      }
      return null;
    });
  }

  @Override
  public Future<Void> groupDiscard(String group, String channel) {
    return run(() -> {
      ChannelNames.requireGroup(group);
      ChannelNames.requireNode(channel);
      GroupMember removed;
      synchronized (this) {
        removed = owned.remove(group, channel);
      }
      if (removed != null) {
        vertx.eventBus().publish(Addresses.presence(group), PresenceEvent.leave(removed), LOCAL);
      }
      return null;
    });
  }

  @Override
  public Future<GroupSendReport> groupSend(String group, JsonObject message) {
    return run(() -> {
      ChannelNames.requireGroup(group);
      synchronized (this) {
        GroupSendReport report = owned.deliver(group, message);
        return report.delivered() + report.droppedTotal() == 0 ? GroupSendReport.empty(group) : report;
      }
    });
  }

  @Override
  public synchronized Future<List<String>> groups() {
    return Future.succeededFuture(owned.groups().stream().sorted().toList());
  }

  @Override
  public Future<List<GroupMember>> members(String group) {
    return run(() -> {
      ChannelNames.requireGroup(group);
      synchronized (this) {
        return owned.members(group);
      }
    });
  }

  @Override
  public void close() {
    closed.unregister();
  }

  private void channelClosed(String channel) {
    List<GroupMember> removed;
    synchronized (this) {
      removed = owned.removeChannel(channel);
    }
    removed.forEach(member -> vertx.eventBus().publish(Addresses.presence(member.group()), PresenceEvent.leave(member), LOCAL));
  }

  private static <T> Future<T> run(java.util.concurrent.Callable<T> operation) {
    try {
      return Future.succeededFuture(operation.call());
    } catch (Exception e) {
      return Future.failedFuture(e);
    }
  }
}

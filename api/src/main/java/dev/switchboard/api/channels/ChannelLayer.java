package dev.switchboard.api.channels;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Channels' channel layer on the event bus: send to one channel, and keep named groups of channels that
 * receive a message together. Usable from a consumer, an HTTP handler, a task, or any node of the cluster.
 *
 * <p>A channel is a connection's own event-bus address (Channels' {@code channel_name}); its name says
 * which node holds the socket, and that node owns the channel's memberships: they vanish the moment the
 * socket closes or the node leaves the cluster, with no expiry timer.
 *
 * <p>Messages are JSON objects with a {@code type}. {@code websocket.send} and {@code websocket.close} are
 * carried out by the gateway on the socket itself; any other type (say {@code chat.message}) is handed to
 * the consumer instance serving the connection, which dispatches it on the type.
 *
 * <p>Delivery is at most once, as in Channels, but never silently: {@link #groupSend} reports how many
 * members were reached and how many were dropped, and why. Every call returns a Future and never blocks;
 * group and channel names are checked first and a bad one fails the Future with an
 * {@link IllegalArgumentException}. Presence events (join, leave) for a group are published on each node
 * to the local address {@code Addresses.presence(group)}, see {@link PresenceEvent}.
 */
public interface ChannelLayer {

  /** Sends {@code message} to one channel; completes once handed to the event bus. */
  Future<Void> send(String channel, JsonObject message);

  /** Adds {@code channel} to {@code group}, with no presence metadata. */
  default Future<Void> groupAdd(String group, String channel) {
    return groupAdd(group, channel, new JsonObject());
  }

  /**
   * Adds {@code channel} to {@code group}, recording {@code meta} (e.g. the user) as its presence. Adding a
   * member twice keeps one membership. Fails when the channel is not open on its node or the channel or
   * group has reached its configured bound.
   */
  Future<Void> groupAdd(String group, String channel, JsonObject meta);

  /** Removes {@code channel} from {@code group}; removing a non-member does nothing. */
  Future<Void> groupDiscard(String group, String channel);

  /**
   * Delivers {@code message} to every member of {@code group}: one message to each node that holds
   * members, which fans it out to its own sockets. The report counts the nodes reached, the members the
   * message was handed to, and those dropped, by reason.
   */
  Future<GroupSendReport> groupSend(String group, JsonObject message);

  /** The names of every group that has at least one member, cluster-wide. */
  Future<List<String>> groups();

  /** The members of {@code group} cluster-wide with their presence metadata, oldest first. */
  Future<List<GroupMember>> members(String group);

  /** The number of members of {@code group}, cluster-wide. */
  default Future<Integer> count(String group) {
    return members(group).map(List::size);
  }
}

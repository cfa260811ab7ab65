package dev.switchboard.shared.protocol;

import java.util.Optional;
import java.util.UUID;

/** Every event-bus address Switchboard uses, built in one place. */
public final class Addresses {

  private static final String PREFIX = "switchboard.";
  private static final String CHANNEL_PREFIX = PREFIX + "channel.";

  /**
   * What a node's {@code ChannelLayer} clients ask its channel-layer service (local addresses): one address per
   * verb, so that no message carries an operation name to switch on.
   */
  public enum LayerVerb { ADD, DISCARD, SEND, MEMBERS, GROUPS, STATS }

  /** What one node's channel layer asks another's (cluster-wide addresses, one per verb and node). */
  public enum NodeVerb { OWN_ADD, OWN_DISCARD, OWN_DELIVER, SNAPSHOT, STATS }

  /** This node's channel-layer service for {@code verb}, for the {@code ChannelLayer} clients running on the node. */
  public static String layerLocal(LayerVerb verb) {
    return PREFIX + "layer.local." + verb.name().toLowerCase(java.util.Locale.ROOT);
  }

  /** Cluster-wide stream of group joins and leaves, published by the node that owns each member. */
  public static final String LAYER_PRESENCE = PREFIX + "layer.presence";

  /** Local notice (body: the channel name) that a channel of this node has closed. */
  public static final String CHANNEL_CLOSED = PREFIX + "layer.channel-closed";

  /**
   * Local notice, for a bridge of the node's groups to another system: {@code {"group", "present"}} published when
   * this node's sockets' membership of a group appears ({@code present: true}, first local member) or vanishes
   * (last local member gone). Published only when a bridge is configured.
   */
  public static final String LAYER_LOCAL_GROUPS = PREFIX + "layer.local-groups";

  /**
   * Local notice {@code {"group", "message"}} of a group send that a client on this node made, after it was handed
   * to the cluster's members; published only when a bridge is configured, so the bridge can send it on.
   */
  public static final String LAYER_GROUP_SENT = PREFIX + "layer.group-sent";

  /**
   * Local request {@code {"group", "message"}}: deliver to this node's own members of the group only (a bridge
   * that received the message for this node); the reply is the node's delivery report.
   */
  public static final String LAYER_DELIVER_LOCAL = PREFIX + "layer.deliver-local";

  /**
   * Answers every request with its own body: lets a bridge client (or anyone) check the path to the JVMs and
   * time a round trip. Served by each node that runs the TCP bridge; reachable from a bridge only when permitted.
   */
  public static final String BRIDGE_ECHO = PREFIX + "bridge.echo";

  /**
   * Cluster-wide stream of route announcements ({@code RouteAnnouncement}): every gateway builds its route table
   * from them. A TCP-bridge client may publish here only when the bridge permits it (its node is then stamped in).
   */
  public static final String ROUTES_ANNOUNCE = PREFIX + "routes.announce";

  /** The cluster-wide map (Vert.x shared data) of every source's current announcement, for gateways starting later. */
  public static final String ROUTES_MAP = PREFIX + "routes";

  private Addresses() {
  }

  /** The shared, load-balanced address that receives {@code websocket.connect} for a consumer name. */
  public static String consumer(String consumerName) {
    return PREFIX + "consumer." + consumerName;
  }

  /** A consumer instance's own address: every event after connect is sent here (sticky). */
  public static String newConsumerInstance(String consumerName) {
    return consumer(consumerName) + "." + UUID.randomUUID();
  }

  /**
   * A new connection's channel name, Channels' {@code channel_name}. The name carries the id of the node that
   * holds the socket ({@link #channelNode}): events for the channel go to that node's {@link #inbox}, and group
   * membership requests to that node's channel layer.
   */
  public static String newChannel(String nodeId) {
    return CHANNEL_PREFIX + nodeId + "." + UUID.randomUUID();
  }

  /**
   * A new connection's channel held by the gateway instance whose own inbox is {@link #inbox(String, int) inbox(nodeId,
   * instance)}: {@code switchboard.channel.<node>.<instance>.<uuid>}. Events sent to it go to that inbox, on the
   * instance's event loop, which is the socket's; the node's inbox takes them too (bridge clients send there).
   */
  public static String newChannel(String nodeId, int instance) {
    return CHANNEL_PREFIX + nodeId + "." + instance + "." + UUID.randomUUID();
  }

  /**
   * Where events for {@code channel} go: the inbox of the gateway instance its name carries ({@link #newChannel(String,
   * int)}), else its node's inbox; empty when it is not a Switchboard channel. A function of the name alone, so that
   * one sender's events to a channel all take one path, and stay in order.
   */
  public static Optional<String> channelInbox(String channel) {
    return channelNode(channel).map(node -> {
      String instancePrefix = channelInstancePrefix(channel, node);
      return instancePrefix == null ? inbox(node)
          : inbox(node, Integer.parseInt(instancePrefix, CHANNEL_PREFIX.length() + node.length() + 1, instancePrefix.length() - 1, 10));
    });
  }

  /**
   * {@code switchboard.channel.<node>.<instance>.} when {@code channel} (of {@code node}) names a gateway instance:
   * every channel that starts with it (and goes on) has that instance's inbox; null when it names none.
   */
  public static String channelInstancePrefix(String channel, String node) {
    int from = CHANNEL_PREFIX.length() + node.length() + 1;
    int at = from;
    while (at < channel.length() && at - from < 9 && channel.charAt(at) >= '0' && channel.charAt(at) <= '9') {
      at++;
    }
    return at > from && at < channel.length() - 1 && channel.charAt(at) == '.' ? channel.substring(0, at + 1) : null;
  }

  /** The node that owns {@code channel}, or empty when the name is not a Switchboard channel. */
  public static Optional<String> channelNode(String channel) {
    if (channel == null || !channel.startsWith(CHANNEL_PREFIX)) {
      return Optional.empty();
    }
    int dot = channel.indexOf('.', CHANNEL_PREFIX.length());
    return dot <= CHANNEL_PREFIX.length() || dot == channel.length() - 1
        ? Optional.empty()
        : Optional.of(channel.substring(CHANNEL_PREFIX.length(), dot));
  }

  /**
   * A gateway instance's inbox for the response events of the HTTP requests it relays ({@code http.response.*},
   * each naming its request): one registration per gateway instance, not one per request.
   */
  public static String newHttpInbox(String nodeId) {
    return PREFIX + "http." + nodeId + "." + UUID.randomUUID();
  }

  /**
   * A node's channel inbox: every event sent to a channel this node owns arrives here, with the channel in the
   * {@link #CHANNEL_HEADER} header, and is dispatched to the socket locally. One clustered registration per node,
   * none per socket.
   */
  public static String inbox(String nodeId) {
    return PREFIX + "inbox." + nodeId;
  }

  /**
   * The inbox of one gateway instance (one event loop) of the node: events for the channels it holds
   * ({@link #newChannel(String, int)}) arrive on the loop that writes their sockets. One registration per instance.
   */
  public static String inbox(String nodeId, int instance) {
    return inbox(nodeId) + "." + instance;
  }

  /** The header naming the destination channel of a message sent to a node's {@link #inbox}. */
  public static final String CHANNEL_HEADER = "channel";

  /** The start of every {@link #inbox} address. */
  public static final String INBOX_PREFIX = PREFIX + "inbox.";
  /** The start of every {@link #newHttpInbox} address. */
  public static final String HTTP_INBOX_PREFIX = PREFIX + "http.";

  /**
   * Set by the TCP bridge on what its client sends to an {@link #inbox}, overwriting anything the client put there: the
   * addresses that client has registered, space-separated (on what it sends to an {@link #newHttpInbox} as well: a
   * response only for an exchange routed to one of them). The inbox hands such an event only to a socket routed to
   * one of them (its consumer's shared address), so a bridge client writes to the sockets of the consumer it serves,
   * not to any channel it learns.
   */
  public static final String BRIDGE_SENDER_HEADER = "switchboard-bridge-registered";

  /** A node's channel-layer address for {@code verb}: membership changes and group deliveries for the channels it owns. */
  public static String layerNode(String nodeId, NodeVerb verb) {
    return PREFIX + "layer.node." + nodeId + "." + verb.name().toLowerCase(java.util.Locale.ROOT);
  }

  /** Where this node's presence events for {@code group} are published, to local consumers only. */
  public static String presence(String group) {
    return PREFIX + "presence." + group;
  }

  /** Where a task's state changes and progress are published (cluster-wide) for watchers of that task. */
  public static String taskEvents(String taskId) {
    return dev.switchboard.api.tasks.TaskClient.eventsAddress(taskId);
  }

  /** Where a node answers, cluster-wide, with its roles, health and open sockets (for dashboards and tools). */
  public static String nodeStatus(String nodeId) {
    return PREFIX + "node." + nodeId + ".status";
  }

  /** Where a node's local roles answer health queries (local consumers, never clustered). */
  public static String localHealth(String role) {
    return PREFIX + "health." + role;
  }
}

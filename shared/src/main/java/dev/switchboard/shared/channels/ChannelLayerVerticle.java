package dev.switchboard.shared.channels;

import dev.switchboard.api.channels.PresenceEvent;
import dev.switchboard.api.channels.GroupMember;
import dev.switchboard.api.channels.GroupSendReport;
import dev.switchboard.shared.cluster.ClusterMembership;
import dev.switchboard.shared.config.SwitchboardConfig;
import dev.switchboard.shared.metrics.SwitchboardMetrics;
import dev.switchboard.shared.protocol.Addresses;
import dev.switchboard.shared.protocol.Addresses.LayerVerb;
import dev.switchboard.shared.protocol.Addresses.NodeVerb;
import io.vertx.core.Handler;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The channel layer's service on one node; deploy exactly one per node (every role). It owns the
 * memberships of the channels whose sockets this node holds and fans group messages out to them; it
 * keeps a copy of every group's members cluster-wide (the presence stream) so that a group send costs one
 * message per node holding members; and it serves the {@link EventBusChannelLayer} clients of the node.
 *
 * <p>Addresses, one per verb ({@link LayerVerb}, {@link NodeVerb}): {@link Addresses#layerLocal} (clients here),
 * {@link Addresses#layerNode} (other nodes' layers), {@link Addresses#inbox} (events sent to this node's channels, see {@link ChannelInbox}), {@link Addresses#LAYER_PRESENCE} (joins and leaves, published), {@link Addresses#CHANNEL_CLOSED}.
 */
public class ChannelLayerVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(ChannelLayerVerticle.class);
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);
  private static final long SNAPSHOT_TIMEOUT_MS = 2000;

  private OwnedGroups owned;
  private final PresenceView view = new PresenceView();
  private EventBus bus;
  private LocalChannels channels;
  private final LayerStats stats;
  private DeliveryOptions timeout;
  private String nodeId;
  private Runnable stopWatchingNodes = () -> { };
  /** A bridge to another channel layer listens to the local-groups and group-sent notices (see Addresses). */
  private boolean bridged;

  /** The node's layer over the node's {@code channels}, counting in the node's {@code stats} (its gateway shares both). */
  public ChannelLayerVerticle(LayerStats stats, LocalChannels channels) {
    this.stats = Objects.requireNonNull(stats, "the node's layer stats");
    this.channels = Objects.requireNonNull(channels, "the node's channels (a test's lone layer: standalone())");
  }

  private ChannelLayerVerticle() {
    this.stats = new LayerStats();
  }

  /**
   * A layer with counters of its own, seeing the Vert.x instance's view of the open channels (what a standalone
   * gateway deployed beside it sees): for tests of verticles deployed one by one. A node never builds one.
   */
  public static ChannelLayerVerticle standalone() {
    return new ChannelLayerVerticle();
  }

  @Override
  public Future<?> start() {
    SwitchboardConfig all = SwitchboardConfig.fromJson(config());
    SwitchboardConfig.Channels config = all.channels();
    bridged = all.interop().channelsRedis().enabled();
    owned = new OwnedGroups(config.maxGroupsPerChannel(), config.maxMembersPerGroup());
    timeout = new DeliveryOptions().setSendTimeout(config.requestTimeoutMs());
    bus = vertx.eventBus();
    AsgiWireCodec.register(bus);
    if (channels == null) {
      channels = LocalChannels.of(vertx);
    }
    ClusterMembership membership = ClusterMembership.of(vertx);
    nodeId = membership.nodeId();
    stats.bind(SwitchboardMetrics.registry(vertx), nodeId);
    // A node that joins (or comes back when a split cluster merges: its members were dropped when it "left") is
    // asked for its members, so group sends reach them again without their clients reconnecting.
    stopWatchingNodes = membership.onMembership(this::nodeJoined, this::nodeLeft);
    List<Future<?>> registrations = new java.util.ArrayList<>(verbs());
    registrations.addAll(List.of(
        ChannelInbox.register(bus, nodeId, channels, stats),
        bus.<JsonObject>consumer(Addresses.LAYER_PRESENCE, this::onPresence).completion(),
        bus.<String>localConsumer(Addresses.CHANNEL_CLOSED, msg -> channelClosed(msg.body())).completion(),
        bus.<JsonObject>localConsumer(Addresses.LAYER_DELIVER_LOCAL, msg -> msg.reply(
            ownDeliver(msg.body().getString("group"), msg.body().getJsonObject("message")).toJson())).completion()));
    return Future.all(registrations)
        .compose(v -> Future.join(membership.nodes().stream().filter(n -> !n.equals(nodeId)).map(this::snapshotOf).toList()));
  }

  @Override
  public Future<?> stop() {
    stopWatchingNodes.run();
    AsgiWireCodec.unregister(bus);
    return Future.succeededFuture();
  }

  /** One handler per verb, each on its own address: the local clients' verbs, then the other nodes'. */
  private List<Future<?>> verbs() {
    return List.of(
        local(LayerVerb.ADD, msg -> answer(msg, () -> add(msg.body()))),
        local(LayerVerb.DISCARD, msg -> answer(msg, () -> discard(msg.body().getString("group"), msg.body().getString("channel")))),
        local(LayerVerb.SEND, msg -> answer(msg, () -> send(msg.body().getString("group"), msg.body().getJsonObject("message")))),
        local(LayerVerb.MEMBERS, msg -> msg.reply(new JsonArray(view.members(msg.body().getString("group")).stream()
            .map(GroupMember::toJson).toList()))),
        local(LayerVerb.GROUPS, msg -> msg.reply(new JsonArray(List.copyOf(view.groups())))),
        local(LayerVerb.STATS, msg -> answer(msg, this::clusterStats)),
        node(NodeVerb.OWN_ADD, msg -> answer(msg, () -> ownAdd(GroupMember.fromJson(msg.body().getJsonObject("member"))))),
        node(NodeVerb.OWN_DISCARD, msg -> answer(msg, () -> ownDiscard(msg.body().getString("group"), msg.body().getString("channel")))),
        node(NodeVerb.OWN_DELIVER, msg -> msg.reply(ownDeliver(msg.body().getString("group"), msg.body().getJsonObject("message")).toJson())),
        node(NodeVerb.SNAPSHOT, msg -> msg.reply(new JsonArray(owned.all().stream().map(GroupMember::toJson).toList()))),
        node(NodeVerb.STATS, msg -> msg.reply(stats.toJson().put("node", nodeId).put("openChannels", channels.size())
            .put("ownedMemberships", owned.all().size()))));
  }

  private Future<?> local(LayerVerb verb, Handler<Message<JsonObject>> handler) {
    return bus.<JsonObject>localConsumer(Addresses.layerLocal(verb), handler).completion();
  }

  private Future<?> node(NodeVerb verb, Handler<Message<JsonObject>> handler) {
    return bus.<JsonObject>consumer(Addresses.layerNode(nodeId, verb), handler).completion();
  }

  /** A client's group send: fanned out, then announced to a bridge to another channel layer, if any. */
  private Future<JsonObject> send(String group, JsonObject message) {
    return groupSend(group, message).onSuccess(report -> announceSent(group, message)).map(GroupSendReport::toJson);
  }

  private Future<JsonObject> add(JsonObject body) {
    String channel = body.getString("channel");
    GroupMember member = new GroupMember(body.getString("group"), channel, ChannelNames.requireNode(channel),
        body.getJsonObject("meta", new JsonObject()), System.currentTimeMillis());
    Future<JsonObject> added = member.node().equals(nodeId)
        ? ownAdd(member)
        : request(member.node(), NodeVerb.OWN_ADD, new JsonObject().put("member", member.toJson()));
    // Applied here before answering, so a group send issued next from this node already sees the member.
    return added.onSuccess(json -> joined(GroupMember.fromJson(json)));
  }

  private Future<JsonObject> discard(String group, String channel) {
    String node = ChannelNames.requireNode(channel);
    Future<JsonObject> discarded = node.equals(nodeId)
        ? ownDiscard(group, channel)
        : request(node, NodeVerb.OWN_DISCARD, new JsonObject().put("group", group).put("channel", channel));
    return discarded.onSuccess(v -> left(view.remove(group, channel)));
  }

  private Future<JsonObject> ownAdd(GroupMember member) {
    Outbox outbox = channels.find(member.channel());
    if (outbox == null) {
      return failure(404, "channel " + member.channel() + " is not open on node " + nodeId);
    }
    try {
      if (owned.add(member, outbox)) {
        if (owned.members(member.group()).size() == 1) {
          announceLocal(member.group(), true);
        }
        joined(member);
        bus.publish(Addresses.LAYER_PRESENCE, PresenceEvent.join(member));
      }
    } catch (IllegalStateException e) {
      return failure(409, e.getMessage());
    }
    return Future.succeededFuture(member.toJson());
  }

  private Future<JsonObject> ownDiscard(String group, String channel) {
    GroupMember removed = owned.remove(group, channel);
    if (removed != null) {
      announceVanished(group);
      left(view.remove(group, channel));
      bus.publish(Addresses.LAYER_PRESENCE, PresenceEvent.leave(removed));
    }
    return Future.succeededFuture(new JsonObject());
  }

  private GroupSendReport ownDeliver(String group, JsonObject message) {
    GroupSendReport report = owned.deliver(group, message);
    stats.fannedOut(report.delivered(), report.dropped().getOrDefault(GroupSendReport.CHANNEL_CLOSED, 0),
        report.dropped().getOrDefault(GroupSendReport.CLIENT_TOO_SLOW, 0));
    return report;
  }

  /** One message per node holding members (none for this node's own), then each node fans out locally. */
  private Future<GroupSendReport> groupSend(String group, JsonObject message) {
    Map<String, Integer> nodes = view.nodes(group);
    List<Future<GroupSendReport>> parts = nodes.entrySet().stream()
        .map(node -> node.getKey().equals(nodeId)
            ? Future.succeededFuture(ownDeliver(group, message))
            : deliverOn(node.getKey(), node.getValue(), group, message))
        .toList();
    return Future.all(parts)
        .map(all -> parts.stream().map(Future::result).reduce(GroupSendReport.empty(group), GroupSendReport::plus))
        .onSuccess(stats::groupSent);
  }

  private Future<GroupSendReport> deliverOn(String node, int members, String group, JsonObject message) {
    JsonObject body = new JsonObject().put("group", group).put("message", message);
    return bus.<JsonObject>request(Addresses.layerNode(node, NodeVerb.OWN_DELIVER), body, timeout)
        .map(reply -> GroupSendReport.fromJson(reply.body()).plus(new GroupSendReport(group, 0, 0, 1, 0, Map.of())))
        .otherwise(err -> new GroupSendReport(group, 1, 0, 1, 0, Map.of(GroupSendReport.NODE_UNREACHABLE, members)));
  }

  private void onPresence(Message<JsonObject> msg) {
    GroupMember member = GroupMember.fromJson(msg.body().getJsonObject("member"));
    if (member.node().equals(nodeId)) {
      return; // applied when it happened
    }
    if (PresenceEvent.JOIN.equals(msg.body().getString("type"))) {
      joined(member);
    } else {
      left(view.remove(member.group(), member.channel()));
    }
  }

  private void channelClosed(String channel) {
    for (GroupMember member : owned.removeChannel(channel)) {
      announceVanished(member.group());
      left(view.remove(member.group(), channel));
      bus.publish(Addresses.LAYER_PRESENCE, PresenceEvent.leave(member));
    }
  }

  private void nodeLeft(String node) {
    List<GroupMember> gone = view.removeNode(node);
    log.info("node {} left the cluster: dropped its {} group members", node, gone.size());
    gone.forEach(this::left);
  }

  private void nodeJoined(String node) {
    if (!node.equals(nodeId)) {
      snapshotWithRetries(node, 4, SNAPSHOT_TIMEOUT_MS / 4)
          .onSuccess(v -> log.debug("node {} joined the cluster: asked it for its group members", node));
    }
  }

  /**
   * A node that has just joined may not have its layer's address known here yet: retry a few times, backing off. When
   * every attempt fails, the node's members stay unknown here (group sends from this node miss them until they join
   * again): logged and counted ({@code switchboard.group.snapshots.abandoned}).
   */
  Future<Void> snapshotWithRetries(String node, int attempts, long backoffMs) {
    return snapshotOrFail(node).recover(err -> {
      if (attempts > 1) {
        return vertx.timer(backoffMs).compose(t -> snapshotWithRetries(node, attempts - 1, backoffMs * 2));
      }
      stats.snapshotAbandoned();
      log.warn("gave up asking node {} for its group members: {}; group sends from here miss them until they join again",
          node, err.getMessage());
      return Future.succeededFuture();
    });
  }

  private void joined(GroupMember member) {
    if (view.put(member)) {
      bus.publish(Addresses.presence(member.group()), PresenceEvent.join(member), LOCAL);
    }
  }

  private void left(GroupMember member) {
    if (member != null) {
      bus.publish(Addresses.presence(member.group()), PresenceEvent.leave(member), LOCAL);
    }
  }

  private void announceVanished(String group) {
    if (owned.members(group).isEmpty()) {
      announceLocal(group, false);
    }
  }

  private void announceLocal(String group, boolean present) {
    if (bridged) {
      bus.publish(Addresses.LAYER_LOCAL_GROUPS, new JsonObject().put("group", group).put("present", present), LOCAL);
    }
  }

  private void announceSent(String group, JsonObject message) {
    if (bridged) {
      bus.publish(Addresses.LAYER_GROUP_SENT, new JsonObject().put("group", group).put("message", message), LOCAL);
    }
  }

  /** Learns the members another node already holds; a node without a channel layer is skipped. */
  private Future<Void> snapshotOf(String node) {
    return snapshotOrFail(node).otherwiseEmpty();
  }

  private Future<Void> snapshotOrFail(String node) {
    return bus.<JsonArray>request(Addresses.layerNode(node, NodeVerb.SNAPSHOT), new JsonObject(),
            new DeliveryOptions().setSendTimeout(SNAPSHOT_TIMEOUT_MS))
        .map(reply -> {
          reply.body().forEach(json -> joined(GroupMember.fromJson((JsonObject) json)));
          return (Void) null;
        });
  }

  private Future<JsonObject> clusterStats() {
    List<Future<JsonObject>> all = ClusterMembership.of(vertx).nodes().stream()
        .map(node -> request(node, NodeVerb.STATS, new JsonObject()).otherwiseEmpty())
        .toList();
    return Future.join(all).map(v -> new JsonObject().put("nodes",
        new JsonArray(all.stream().map(Future::result).filter(json -> json != null).toList())));
  }

  private Future<JsonObject> request(String node, NodeVerb verb, JsonObject body) {
    return bus.<JsonObject>request(Addresses.layerNode(node, verb), body, timeout).map(Message::body);
  }

  private static <T> void answer(Message<JsonObject> msg, Supplier<Future<T>> operation) {
    Future<T> result;
    try {
      result = operation.get();
    } catch (IllegalArgumentException e) {
      result = failure(400, e.getMessage());
    }
    result.onSuccess(msg::reply).onFailure(err -> msg.fail(
        err instanceof ReplyException reply ? reply.failureCode() : 500, String.valueOf(err.getMessage())));
  }

  private static <T> Future<T> failure(int code, String message) {
    return Future.failedFuture(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, code, message));
  }
}

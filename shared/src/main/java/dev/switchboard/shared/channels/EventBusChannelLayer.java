package dev.switchboard.shared.channels;

import dev.switchboard.api.channels.GroupMember;
import dev.switchboard.api.channels.GroupSendReport;
import dev.switchboard.api.channels.ChannelLayer;
import dev.switchboard.shared.protocol.Addresses;
import dev.switchboard.shared.protocol.Addresses.LayerVerb;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The cluster's channel layer, as seen from one node: a thin client of the node's
 * {@link ChannelLayerVerticle}, which must be deployed on the node. Cheap to create; safe to use from any
 * thread. Failures carry the group, the channel and the node's answer.
 */
public final class EventBusChannelLayer implements ChannelLayer {

  private final Vertx vertx;
  private final DeliveryOptions options;

  /** {@code timeoutMs} bounds each call, including the remote nodes' answers it waits for. */
  public EventBusChannelLayer(Vertx vertx, long timeoutMs) {
    this.vertx = vertx;
    this.options = new DeliveryOptions().setLocalOnly(true).setSendTimeout(timeoutMs);
  }

  @Override
  public Future<Void> send(String channel, JsonObject message) {
    try {
      ChannelInbox.send(vertx.eventBus(), channel, message);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> groupAdd(String group, String channel, JsonObject meta) {
    return checked(group, channel, "groupAdd")
        .compose(v -> call(LayerVerb.ADD, "groupAdd(" + group + ", " + channel + ")", new JsonObject()
            .put("group", group).put("channel", channel).put("meta", meta == null ? new JsonObject() : meta)))
        .mapEmpty();
  }

  @Override
  public Future<Void> groupDiscard(String group, String channel) {
    return checked(group, channel, "groupDiscard")
        .compose(v -> call(LayerVerb.DISCARD, "groupDiscard(" + group + ", " + channel + ")", new JsonObject()
            .put("group", group).put("channel", channel)))
        .mapEmpty();
  }

  @Override
  public Future<GroupSendReport> groupSend(String group, JsonObject message) {
    return checked(group, null, "groupSend")
        .compose(v -> this.<JsonObject>call(LayerVerb.SEND, "groupSend(" + group + ")",
            new JsonObject().put("group", group).put("message", message)))
        .map(GroupSendReport::fromJson);
  }

  @Override
  public Future<List<String>> groups() {
    return this.<JsonArray>call(LayerVerb.GROUPS, "groups()", new JsonObject())
        .map(array -> array.stream().map(String::valueOf).toList());
  }

  @Override
  public Future<List<GroupMember>> members(String group) {
    return checked(group, null, "members")
        .compose(v -> this.<JsonArray>call(LayerVerb.MEMBERS, "members(" + group + ")", new JsonObject().put("group", group)))
        .map(array -> array.stream().map(json -> GroupMember.fromJson((JsonObject) json)).toList());
  }

  /** Every node's channel-layer counters: {@code {"nodes": [{node, groupSends, groupSendClusterMessages, ...}]}}. */
  public Future<JsonObject> clusterStats() {
    return call(LayerVerb.STATS, "clusterStats()", new JsonObject());
  }

  private static Future<Void> checked(String group, String channel, String operation) {
    try {
      ChannelNames.requireGroup(group);
      if (channel != null) {
        ChannelNames.requireNode(channel);
      }
      return Future.succeededFuture();
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(new IllegalArgumentException(operation + ": " + e.getMessage(), e));
    }
  }

  private <T> Future<T> call(LayerVerb verb, String what, JsonObject body) {
    return vertx.eventBus().<T>request(Addresses.layerLocal(verb), body, options)
        .map(reply -> reply.body())
        .recover(err -> Future.failedFuture(explain(what, err)));
  }

  private static Throwable explain(String what, Throwable err) {
    if (err instanceof ReplyException reply && reply.failureType() == ReplyFailure.NO_HANDLERS) {
      return new IllegalStateException(what + ": no ChannelLayerVerticle is deployed on this node", err);
    }
    if (err instanceof ReplyException reply && reply.failureCode() == 400) {
      return new IllegalArgumentException(what + ": " + err.getMessage(), err);
    }
    return new IllegalStateException(what + ": " + err.getMessage(), err);
  }
}

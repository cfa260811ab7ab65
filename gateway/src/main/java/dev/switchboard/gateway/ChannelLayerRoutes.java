package dev.switchboard.gateway;

import dev.switchboard.shared.channels.ChannelNames;
import dev.switchboard.shared.channels.EventBusChannelLayer;
import dev.switchboard.api.channels.GroupMember;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The channel layer over HTTP, read-only: {@code GET /api/channels/stats} (every node's counters: group
 * sends and the cluster messages they cost, deliveries, drops by reason, slow clients closed with 1013),
 * {@code GET /api/channels/groups} (groups with members) and {@code GET /api/channels/groups/{group}}
 * (the group's members: node, presence metadata and join time, cluster-wide; never their channel names).
 */
final class ChannelLayerRoutes {

  private static final long TIMEOUT_MS = 5000;
  private final EventBusChannelLayer layer;

  private ChannelLayerRoutes(Vertx vertx) {
    this.layer = new EventBusChannelLayer(vertx, TIMEOUT_MS);
  }

  static void mount(Router router, Vertx vertx) {
    ChannelLayerRoutes routes = new ChannelLayerRoutes(vertx);
    router.get("/api/channels/stats").handler(routes::stats);
    router.get("/api/channels/groups").handler(routes::groups);
    router.get("/api/channels/groups/:group").handler(routes::members);
  }

  private void stats(RoutingContext rc) {
    layer.clusterStats().onSuccess(rc::json).onFailure(rc::fail);
  }

  private void groups(RoutingContext rc) {
    layer.groups().onSuccess(groups -> rc.json(new JsonObject().put("groups", new JsonArray(groups)))).onFailure(rc::fail);
  }

  /**
   * A member as the HTTP API shows it: without its channel name. Anyone who knows a channel can write to its
   * socket (the bridges permit sending to channels), so a channel name is a capability and never leaves the cluster.
   */
  private static JsonObject publicView(GroupMember member) {
    JsonObject view = member.toJson();
    view.remove("channel");
    return view;
  }

  private void members(RoutingContext rc) {
    String group = rc.pathParam("group");
    if (!ChannelNames.validGroup(group)) {
      rc.response().setStatusCode(400).end(new JsonObject().put("error", "invalid group name: " + group).encode());
      return;
    }
    layer.members(group)
        .onSuccess(members -> rc.json(new JsonObject().put("group", group).put("count", members.size())
            .put("members", new JsonArray(members.stream().map(ChannelLayerRoutes::publicView).toList()))))
        .onFailure(rc::fail);
  }
}

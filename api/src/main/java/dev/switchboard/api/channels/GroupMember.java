package dev.switchboard.api.channels;

import io.vertx.core.json.JsonObject;

/** One member of a group: its channel, the node holding its socket, its presence metadata, and when it joined. */
public record GroupMember(String group, String channel, String node, JsonObject meta, long joinedAt) {

  public JsonObject toJson() {
    return new JsonObject().put("group", group).put("channel", channel).put("node", node)
        .put("meta", meta).put("joinedAt", joinedAt);
  }

  public static GroupMember fromJson(JsonObject json) {
    return new GroupMember(json.getString("group"), json.getString("channel"), json.getString("node"),
        json.getJsonObject("meta", new JsonObject()), json.getLong("joinedAt", 0L));
  }
}

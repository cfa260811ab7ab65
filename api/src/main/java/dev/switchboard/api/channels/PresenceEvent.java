package dev.switchboard.api.channels;

import io.vertx.core.json.JsonObject;

/**
 * A group join or leave, Phoenix-presence style, as published to {@code Addresses.presence(group)} on every
 * node: {@code {"type": "presence.join" | "presence.leave", "member": {...}}}. A leave is also published
 * for every member of a node that leaves the cluster.
 */
public final class PresenceEvent {

  public static final String JOIN = "presence.join";
  public static final String LEAVE = "presence.leave";

  private PresenceEvent() {
  }

  public static JsonObject join(GroupMember member) {
    return new JsonObject().put("type", JOIN).put("member", member.toJson());
  }

  public static JsonObject leave(GroupMember member) {
    return new JsonObject().put("type", LEAVE).put("member", member.toJson());
  }
}

package dev.switchboard.api.channels;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a {@link ChannelLayer#groupSend} did: how many nodes held members, how many of them answered, how
 * many cluster messages it cost (one per remote node with members), how many members the message was
 * handed to, and how many were dropped, by reason ({@link #CHANNEL_CLOSED}, {@link #CLIENT_TOO_SLOW},
 * {@link #NODE_UNREACHABLE}).
 */
public record GroupSendReport(String group, int nodes, int nodesReached, int clusterMessages, int delivered,
    Map<String, Integer> dropped) {

  /** The member's socket closed between the membership lookup and the delivery. */
  public static final String CHANNEL_CLOSED = "channel-closed";
  /** The member's outbound queue was full; its socket is closed with 1013. */
  public static final String CLIENT_TOO_SLOW = "client-too-slow";
  /** The node holding the member did not answer in time (its members count as dropped). */
  public static final String NODE_UNREACHABLE = "node-unreachable";

  public GroupSendReport {
    dropped = Map.copyOf(dropped);
  }

  public static GroupSendReport empty(String group) {
    return new GroupSendReport(group, 0, 0, 0, 0, Map.of());
  }

  public int droppedTotal() {
    return dropped.values().stream().mapToInt(Integer::intValue).sum();
  }

  /** Adds another node's part of the delivery to this report. */
  public GroupSendReport plus(GroupSendReport other) {
    Map<String, Integer> sum = new TreeMap<>(dropped);
    other.dropped.forEach((reason, n) -> sum.merge(reason, n, Integer::sum));
    return new GroupSendReport(group, nodes + other.nodes, nodesReached + other.nodesReached,
        clusterMessages + other.clusterMessages, delivered + other.delivered, sum);
  }

  public JsonObject toJson() {
    return new JsonObject().put("group", group).put("nodes", nodes).put("nodesReached", nodesReached)
        .put("clusterMessages", clusterMessages).put("delivered", delivered)
        .put("dropped", new JsonObject(Map.copyOf(dropped)));
  }

  public static GroupSendReport fromJson(JsonObject json) {
    Map<String, Integer> dropped = new TreeMap<>();
    json.getJsonObject("dropped", new JsonObject()).forEach(e -> dropped.put(e.getKey(), ((Number) e.getValue()).intValue()));
    return new GroupSendReport(json.getString("group"), json.getInteger("nodes", 0), json.getInteger("nodesReached", 0),
        json.getInteger("clusterMessages", 0), json.getInteger("delivered", 0), dropped);
  }
}

package dev.switchboard.gateway;

import dev.switchboard.api.protocol.CloseCodes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The open sockets of one gateway instance, indexed by the node whose consumer serves them. */
final class OpenConnections {

  private final Map<String, Set<WebSocketConnection>> byConsumerNode = new HashMap<>();
  private int size;

  void add(WebSocketConnection connection) {
    if (byConsumerNode.computeIfAbsent(connection.consumerNode(), node -> new HashSet<>()).add(connection)) {
      size++;
    }
  }

  void remove(WebSocketConnection connection) {
    Set<WebSocketConnection> set = byConsumerNode.get(connection.consumerNode());
    if (set != null && set.remove(connection)) {
      size--;
      if (set.isEmpty()) {
        byConsumerNode.remove(connection.consumerNode());
      }
    }
  }

  /** A consumer node left the cluster: its sockets close with 1012 so their clients reconnect elsewhere. */
  void consumerNodeLeft(String nodeId) {
    Set<WebSocketConnection> orphans = byConsumerNode.remove(nodeId);
    if (orphans != null) {
      size -= orphans.size();
      orphans.forEach(connection -> connection.close(CloseCodes.SERVICE_RESTART, "consumer node left the cluster"));
    }
  }

  /** Closes every socket with {@code code}, for a graceful shutdown. */
  void closeAll(short code, String reason) {
    List<WebSocketConnection> all = new ArrayList<>();
    byConsumerNode.values().forEach(all::addAll);
    all.forEach(connection -> connection.close(code, reason));
  }

  /** Every open socket, copied (a heartbeat may close some while the caller iterates). */
  List<WebSocketConnection> snapshot() {
    List<WebSocketConnection> all = new ArrayList<>(size);
    byConsumerNode.values().forEach(all::addAll);
    return all;
  }

  int size() {
    return size;
  }
}

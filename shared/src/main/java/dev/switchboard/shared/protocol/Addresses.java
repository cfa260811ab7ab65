package dev.switchboard.shared.protocol;

import java.util.UUID;

/** Every event-bus address Switchboard uses, built in one place. */
public final class Addresses {

  private static final String PREFIX = "switchboard.";

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

  /** A new connection's channel name: its own cluster-wide address, Channels' {@code channel_name}. */
  public static String newChannel() {
    return PREFIX + "channel." + UUID.randomUUID();
  }

  /** Where a task's state changes and progress are published (cluster-wide) for watchers of that task. */
  public static String taskEvents(String taskId) {
    return PREFIX + "task." + taskId;
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

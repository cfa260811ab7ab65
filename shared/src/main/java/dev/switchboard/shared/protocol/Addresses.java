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

  /**
   * Where a chat message posted over HTTP ({@code POST /api/rooms/{room}/messages}) is published, cluster-wide,
   * once stored, so that the room's chat consumers can hand it to their members. A stand-in for the channel
   * layer's {@code groupSend} until that lands; the body is the stored message's JSON.
   */
  public static String chatPosted(String room) {
    return PREFIX + "chat.posted." + room;
  }

  /** Where a node's local roles answer health queries (local consumers, never clustered). */
  public static String localHealth(String role) {
    return PREFIX + "health." + role;
  }
}

package dev.switchboard.shared.channels;

import dev.switchboard.shared.cluster.ClusterMembership;
import dev.switchboard.shared.protocol.Addresses;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** A channel open on this node, standing in for a socket: it records what it is offered. */
final class TestChannel implements Outbox {

  final String name;
  final List<JsonObject> received = new CopyOnWriteArrayList<>();
  private final Vertx vertx;
  private volatile Result answer = Result.DELIVERED;
  private volatile Consumer<JsonObject> onMessage = m -> { };

  private TestChannel(Vertx vertx) {
    this.vertx = vertx;
    this.name = Addresses.newChannel(ClusterMembership.of(vertx).nodeId());
  }

  static TestChannel open(Vertx vertx) {
    TestChannel channel = new TestChannel(vertx);
    LocalChannels.of(vertx).open(channel.name, channel);
    return channel;
  }

  TestChannel onMessage(Consumer<JsonObject> handler) {
    this.onMessage = handler;
    return this;
  }

  /** From now on the channel refuses offers as a client too slow to keep up would. */
  void becomeSlow() {
    answer = Result.TOO_SLOW;
  }

  void close() {
    LocalChannels.of(vertx).close(name);
  }

  @Override
  public Result offer(JsonObject event) {
    if (answer == Result.DELIVERED) {
      received.add(event);
      onMessage.accept(event);
    }
    return answer;
  }
}

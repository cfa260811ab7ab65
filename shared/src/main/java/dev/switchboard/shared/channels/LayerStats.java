package dev.switchboard.shared.channels;

import dev.switchboard.api.channels.GroupSendReport;
import dev.switchboard.shared.metrics.MetricNames;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.LongAdder;

/**
 * The channel layer's counters for one node, created once by its composition root and handed to the channel layer and
 * the gateway (one set per node, never looked up): group sends
 * and the cluster messages they cost, members delivered and dropped, and slow clients closed with 1013.
 */
public final class LayerStats {

  private final LongAdder groupSends = new LongAdder();
  private final LongAdder clusterMessages = new LongAdder();
  private final LongAdder delivered = new LongAdder();
  private final LongAdder droppedClosed = new LongAdder();
  private final LongAdder droppedSlow = new LongAdder();
  private final LongAdder droppedUnreachable = new LongAdder();
  private final LongAdder slowClientsClosed = new LongAdder();
  private final LongAdder channelDelivered = new LongAdder();
  private final LongAdder channelDroppedClosed = new LongAdder();
  private final LongAdder channelDroppedSlow = new LongAdder();
  private final LongAdder channelDroppedNotPermitted = new LongAdder();
  private final LongAdder snapshotsAbandoned = new LongAdder();

  /** Counts one group send issued from this node, with its report. */
  public void groupSent(GroupSendReport report) {
    groupSends.increment();
    clusterMessages.add(report.clusterMessages());
    droppedUnreachable.add(report.dropped().getOrDefault(GroupSendReport.NODE_UNREACHABLE, 0));
  }

  /** Counts one node's local fan-out, done on this node. */
  public void fannedOut(int deliveredHere, int closed, int slow) {
    delivered.add(deliveredHere);
    droppedClosed.add(closed);
    droppedSlow.add(slow);
  }

  /** Counts one event sent to a channel and handed to its socket here. */
  public void channelDelivered() {
    channelDelivered.increment();
  }

  /** Counts one event sent to a channel and dropped here: the channel is not open, or its client is too slow. */
  public void channelDropped(Outbox.Result why) {
    (why == Outbox.Result.TOO_SLOW ? channelDroppedSlow
        : why == Outbox.Result.NOT_PERMITTED ? channelDroppedNotPermitted : channelDroppedClosed).increment();
  }

  /** Counts a node (joined, or merged back after a split) whose group members this node gave up asking for. */
  public void snapshotAbandoned() {
    snapshotsAbandoned.increment();
  }

  public long snapshotsAbandoned() {
    return snapshotsAbandoned.sum();
  }

  /** Shows these counters in {@code registry} (Micrometer reads them on each scrape); idempotent. */
  public void bind(MeterRegistry registry, String node) {
    FunctionCounter.builder(MetricNames.GROUP_SENDS, this, s -> s.groupSends.sum()).tag(MetricNames.NODE, node)
        .description("group sends issued on this node").register(registry);
    FunctionCounter.builder(MetricNames.GROUP_SEND_MESSAGES, this, s -> s.clusterMessages.sum()).tag(MetricNames.NODE, node)
        .description("cluster messages the group sends cost, one per node with members").register(registry);
    FunctionCounter.builder(MetricNames.GROUP_DELIVERIES, this, s -> s.delivered.sum()).tag(MetricNames.NODE, node)
        .description("group messages delivered to members on this node").register(registry);
    drops(registry, node, "channel_closed", droppedClosed);
    drops(registry, node, "client_too_slow", droppedSlow);
    drops(registry, node, "node_unreachable", droppedUnreachable);
    FunctionCounter.builder(MetricNames.CHANNEL_DELIVERIES, channelDelivered, LongAdder::sum).tag(MetricNames.NODE, node)
        .description("events sent to channels and handed to their sockets on this node").register(registry);
    FunctionCounter.builder(MetricNames.GROUP_SNAPSHOTS_ABANDONED, snapshotsAbandoned, LongAdder::sum).tag(MetricNames.NODE, node)
        .description("nodes whose group members this node gave up asking for after they joined").register(registry);
    channelDrops(registry, node, "channel_closed", channelDroppedClosed);
    channelDrops(registry, node, "client_too_slow", channelDroppedSlow);
    channelDrops(registry, node, "not_permitted", channelDroppedNotPermitted);
  }

  private void channelDrops(MeterRegistry registry, String node, String reason, LongAdder count) {
    FunctionCounter.builder(MetricNames.CHANNEL_DROPS, count, LongAdder::sum).tag(MetricNames.NODE, node)
        .tag(MetricNames.REASON, reason).description("events sent to channels and dropped here, by reason").register(registry);
  }

  private void drops(MeterRegistry registry, String node, String reason, LongAdder count) {
    FunctionCounter.builder(MetricNames.GROUP_DROPS, count, LongAdder::sum).tag(MetricNames.NODE, node)
        .tag(MetricNames.REASON, reason).description("group messages dropped, by reason").register(registry);
  }

  public void slowClientClosed() {
    slowClientsClosed.increment();
  }

  public long clusterMessages() {
    return clusterMessages.sum();
  }

  public long groupSends() {
    return groupSends.sum();
  }

  public long slowClientsClosed() {
    return slowClientsClosed.sum();
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("groupSends", groupSends.sum())
        .put("groupSendClusterMessages", clusterMessages.sum())
        .put("delivered", delivered.sum())
        .put("droppedChannelClosed", droppedClosed.sum())
        .put("droppedClientTooSlow", droppedSlow.sum())
        .put("droppedNodeUnreachable", droppedUnreachable.sum())
        .put("slowClientsClosed", slowClientsClosed.sum())
        .put("channelDelivered", channelDelivered.sum())
        .put("channelDroppedChannelClosed", channelDroppedClosed.sum())
        .put("channelDroppedClientTooSlow", channelDroppedSlow.sum())
        .put("snapshotsAbandoned", snapshotsAbandoned.sum());
  }
}

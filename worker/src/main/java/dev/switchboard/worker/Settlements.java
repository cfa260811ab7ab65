package dev.switchboard.worker;

import dev.switchboard.shared.context.TurnBatcher;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.List;
import java.util.function.IntFunction;

/**
 * A worker's settles, batched: the outcomes that become known in one event-loop turn, or while the previous batch is
 * in flight, go to Redis as one {@code settle.lua} call (at most {@link #MAX_BATCH}), which also claims tasks for
 * the slots they free, so a busy worker needs no claim call of its own. Each settle keeps its own lease fence and
 * gets its own reply. One batch is in flight at a time ({@link TurnBatcher}).
 */
final class Settlements {

  /** Settles per script call at most: one call holds Redis for a bounded time. */
  static final int MAX_BATCH = 64;

  /** The claim a batch carries: how many tasks, and whether to reclaim those of silent workers first. */
  record Slots(int count, boolean reclaim) {
  }

  /** Hears what became of a batch's claim, before its settles' own futures complete. */
  interface Claimed {
    void handle(Slots asked, int settles, AsyncResult<Broker.Claim> claim);
  }

  private final Broker broker;
  private final IntFunction<Slots> slots;
  private final Claimed claimed;
  private final TurnBatcher<Broker.Settle, Broker.Settled> batches;

  /** {@code slots} is asked, as a batch of n settles leaves, how many tasks it should claim for the slots it frees. */
  Settlements(Context context, Broker broker, IntFunction<Slots> slots, Claimed claimed) {
    this.broker = broker;
    this.slots = slots;
    this.claimed = claimed;
    // what waits is bounded by the worker's concurrency already: a task settles at most once at a time
    this.batches = new TurnBatcher<>(context, MAX_BATCH, 1, Integer.MAX_VALUE, settle -> null, this::send);
  }

  /**
   * Records {@code settle} with the next batch; fails as the whole batch's script call does. An outcome completed
   * off the worker's event loop (an async body's own thread) joins the batch on it.
   */
  Future<Broker.Settled> settle(Broker.Settle settle) {
    return batches.submit(settle);
  }

  /** Completes when no batch is in flight (the one in flight now, if any, has its answer). */
  Future<?> idle() {
    return batches.idle();
  }

  private Future<List<Broker.Settled>> send(List<Broker.Settle> batch) {
    Slots asked = slots.apply(batch.size());
    return broker.settle(batch, asked.count(), asked.reclaim())
        // the claim is heard before the settles' own futures complete
        .andThen(result -> claimed.handle(asked, batch.size(), result.map(Broker.SettleReply::claim)))
        .map(Broker.SettleReply::settled);
  }
}

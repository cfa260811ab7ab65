package dev.switchboard.worker;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * A worker's settles, batched: the outcomes that become known in one event-loop turn, or while the previous batch is
 * in flight, go to Redis as one {@code settle.lua} call (at most {@link #MAX_BATCH}), which also claims tasks for
 * the slots they free, so a busy worker needs no claim call of its own. Each settle keeps its own lease fence and
 * gets its own reply. One batch is in flight at a time; what waits is bounded by the worker's concurrency (a task
 * settles at most once at a time). On the worker's context only.
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

  private record Waiting(Broker.Settle settle, Promise<Broker.Settled> reply) {
  }

  private final Context context;
  private final Broker broker;
  private final IntFunction<Slots> slots;
  private final Claimed claimed;
  private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
  private boolean scheduled;
  private Future<?> inFlight = Future.succeededFuture();

  /** {@code slots} is asked, as a batch of n settles leaves, how many tasks it should claim for the slots it frees. */
  Settlements(Context context, Broker broker, IntFunction<Slots> slots, Claimed claimed) {
    this.context = context;
    this.broker = broker;
    this.slots = slots;
    this.claimed = claimed;
  }

  /** Records {@code settle} with the next batch; fails as the whole batch's script call does. */
  Future<Broker.Settled> settle(Broker.Settle settle) {
    Promise<Broker.Settled> reply = Promise.promise();
    if (Vertx.currentContext() != context) {
      // an outcome completed off the worker's event loop (an async body's own thread): the batch lives on it
      context.runOnContext(v -> add(new Waiting(settle, reply)));
    } else {
      add(new Waiting(settle, reply));
    }
    return reply.future();
  }

  private void add(Waiting item) {
    waiting.add(item);
    if (!scheduled && inFlight.isComplete()) {
      scheduled = true;
      // the end of this turn: the other outcomes of the turn join the batch
      context.runOnContext(v -> {
        scheduled = false;
        send();
      });
    }
  }

  /** Completes when no batch is in flight (the one in flight now, if any, has its answer). */
  Future<?> idle() {
    return inFlight;
  }

  private void send() {
    if (!inFlight.isComplete() || waiting.isEmpty()) {
      return;
    }
    List<Waiting> batch = new ArrayList<>(Math.min(MAX_BATCH, waiting.size()));
    while (batch.size() < MAX_BATCH && !waiting.isEmpty()) {
      batch.add(waiting.poll());
    }
    Slots asked = slots.apply(batch.size());
    Future<Broker.SettleReply> reply = broker.settle(batch.stream().map(Waiting::settle).toList(), asked.count(),
        asked.reclaim());
    inFlight = reply;
    reply.onComplete(result -> {
      claimed.handle(asked, batch.size(), result.map(Broker.SettleReply::claim));
      for (int i = 0; i < batch.size(); i++) {
        if (result.succeeded()) {
          batch.get(i).reply().complete(result.result().settled().get(i));
        } else {
          batch.get(i).reply().fail(result.cause());
        }
      }
      send();
    });
  }
}

package dev.switchboard.shared.context;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Coalesces one context's requests into batched calls, each request still answered on its own: what is submitted in
 * one event-loop turn, or while {@code maxInFlight} calls are out, leaves as one call of at most {@code maxBatch}. A
 * lone request waits for no one: it leaves at the end of the turn it was submitted in. The batch call answers with
 * one result per request, in order; a failed call fails all of its requests. Touched on {@code home} only; submits
 * from other threads hop there.
 *
 * @param <I> a request
 * @param <R> its result
 */
public final class TurnBatcher<I, R> {

  /** Sends one batch; answers with exactly one result per item, in the batch's order. */
  public interface Sender<I, R> {
    Future<List<R>> send(List<I> batch);
  }

  private record Waiting<I, R>(I item, Promise<R> result) {
  }

  private final Context home;
  private final int maxBatch;
  private final int maxInFlight;
  private final int maxWaiting;
  private final Function<I, Throwable> refusal;
  private final Sender<I, R> sender;
  private final ArrayDeque<Waiting<I, R>> waiting = new ArrayDeque<>();
  private final List<Future<?>> inFlight = new ArrayList<>();
  private boolean flushScheduled;

  /**
   * @param maxWaiting requests waiting for a batch at most; beyond, a request fails at once with {@code refusal}'s
   *     exception (the other end does not keep up)
   */
  public TurnBatcher(Context home, int maxBatch, int maxInFlight, int maxWaiting, Function<I, Throwable> refusal,
      Sender<I, R> sender) {
    if (maxBatch < 1 || maxInFlight < 1 || maxWaiting < 1) {
      throw new IllegalArgumentException("batch, in-flight and waiting bounds must be at least 1");
    }
    this.home = home;
    this.maxBatch = maxBatch;
    this.maxInFlight = maxInFlight;
    this.maxWaiting = maxWaiting;
    this.refusal = refusal;
    this.sender = sender;
  }

  /** Queues {@code item} for the next batch; the result completes on {@code home}. */
  public Future<R> submit(I item) {
    Promise<R> result = Promise.promise();
    if (Vertx.currentContext() == home) {
      add(new Waiting<>(item, result));
    } else {
      home.runOnContext(v -> add(new Waiting<>(item, result)));
    }
    return result.future();
  }

  /** Completes once every call out now has its answer (at once when none is). */
  public Future<?> idle() {
    return inFlight.isEmpty() ? Future.succeededFuture() : Future.join(List.copyOf(inFlight));
  }

  private void add(Waiting<I, R> request) {
    if (waiting.size() >= maxWaiting) {
      request.result().fail(refusal.apply(request.item()));
      return;
    }
    waiting.add(request);
    if (!flushScheduled && inFlight.size() < maxInFlight) {
      flushScheduled = true;
      // the end of this turn: the other requests of the turn join the batch
      home.runOnContext(v -> {
        flushScheduled = false;
        flush();
      });
    }
  }

  private void flush() {
    while (inFlight.size() < maxInFlight && !waiting.isEmpty()) {
      List<Waiting<I, R>> batch = new ArrayList<>(Math.min(maxBatch, waiting.size()));
      List<I> items = new ArrayList<>(Math.min(maxBatch, waiting.size()));
      while (batch.size() < maxBatch && !waiting.isEmpty()) {
        Waiting<I, R> next = waiting.poll();
        batch.add(next);
        items.add(next.item());
      }
      Future<List<R>> call = send(items);
      inFlight.add(call);
      call.onComplete(results -> {
        inFlight.remove(call);
        for (int i = 0; i < batch.size(); i++) {
          if (results.succeeded()) {
            batch.get(i).result().complete(results.result().get(i));
          } else {
            batch.get(i).result().fail(results.cause());
          }
        }
        flush();
      });
    }
  }

  private Future<List<R>> send(List<I> items) {
    try {
      return sender.send(items);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }
}

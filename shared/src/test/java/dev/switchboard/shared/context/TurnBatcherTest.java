package dev.switchboard.shared.context;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("TurnBatcher: one turn's requests leave as one bounded call, each answered on its own")
class TurnBatcherTest {

  /** A sender that records each batch and answers when told, with each item doubled. */
  private static final class Recorder implements TurnBatcher.Sender<Integer, Integer> {
    final List<List<Integer>> batches = new ArrayList<>();
    final List<Promise<List<Integer>>> calls = new ArrayList<>();

    @Override
    public Future<List<Integer>> send(List<Integer> batch) {
      batches.add(List.copyOf(batch));
      Promise<List<Integer>> call = Promise.promise();
      calls.add(call);
      return call.future();
    }

    void answer(int call) {
      calls.get(call).complete(batches.get(call).stream().map(i -> 2 * i).toList());
    }
  }

  private static TurnBatcher<Integer, Integer> batcher(Context home, int maxBatch, int maxInFlight, int maxWaiting,
      Recorder sender) {
    return new TurnBatcher<>(home, maxBatch, maxInFlight, maxWaiting,
        i -> new IllegalStateException("refused " + i), sender);
  }

  @Test
  @DisplayName("a turn's requests leave in calls of at most maxBatch, at most maxInFlight out; each gets its own result")
  void oneTurnBoundedCalls(Vertx vertx, VertxTestContext test) {
    Context home = vertx.getOrCreateContext();
    Recorder sender = new Recorder();
    home.runOnContext(v -> {
      TurnBatcher<Integer, Integer> batcher = batcher(home, 4, 2, 100, sender);
      List<Future<Integer>> results = IntStream.range(0, 10).mapToObj(batcher::submit).toList();
      home.runOnContext(later -> test.verify(() -> {
        // the end of the turn: ten requests, two calls of four out, two requests waiting for a free call
        assertEquals(List.of(List.of(0, 1, 2, 3), List.of(4, 5, 6, 7)), sender.batches);
        sender.answer(1);
        assertEquals(List.of(8, 9), sender.batches.get(2), "the waiting two leave as a call returns");
        sender.answer(0);
        sender.answer(2);
        Future.all(results).onComplete(test.succeeding(all -> test.verify(() -> {
          assertEquals(IntStream.range(0, 10).map(i -> 2 * i).boxed().toList(), all.list());
          test.completeNow();
        })));
      }));
    });
  }

  @Test
  @DisplayName("while maxInFlight calls are out, later requests wait and leave together when one returns")
  void waitsForAFreeCall(Vertx vertx, VertxTestContext test) {
    Context home = vertx.getOrCreateContext();
    Recorder sender = new Recorder();
    home.runOnContext(v -> {
      TurnBatcher<Integer, Integer> batcher = batcher(home, 64, 1, 100, sender);
      Future<Integer> first = batcher.submit(1);
      home.runOnContext(turn2 -> {
        Future<Integer> second = batcher.submit(2);
        home.runOnContext(turn3 -> {
          Future<Integer> third = batcher.submit(3);
          home.runOnContext(turn4 -> test.verify(() -> {
            assertEquals(List.of(List.of(1)), sender.batches, "one call out, the others wait");
            assertTrue(!batcher.idle().isComplete(), "not idle while a call is out");
            sender.answer(0);
            assertEquals(List.of(List.of(1), List.of(2, 3)), sender.batches, "the waiting two leave together");
            sender.answer(1);
            Future.all(first, second, third).onComplete(test.succeeding(all -> test.verify(() -> {
              assertEquals(List.of(2, 4, 6), all.list());
              assertTrue(batcher.idle().isComplete());
              test.completeNow();
            })));
          }));
        });
      });
    });
  }

  @Test
  @DisplayName("past maxWaiting a request is refused at once; a failed call fails each of its requests")
  void boundsAndFailures(Vertx vertx, VertxTestContext test) {
    Context home = vertx.getOrCreateContext();
    TurnBatcher.Sender<Integer, Integer> failing = batch -> Future.failedFuture("redis went away");
    home.runOnContext(v -> {
      TurnBatcher<Integer, Integer> batcher = new TurnBatcher<>(home, 64, 1, 2,
          i -> new IllegalStateException("refused " + i), failing);
      Future<Integer> a = batcher.submit(1);
      Future<Integer> b = batcher.submit(2);
      Future<Integer> c = batcher.submit(3);
      test.verify(() -> {
        assertTrue(c.failed(), "the third waiting request is over the bound");
        assertEquals("refused 3", c.cause().getMessage());
      });
      Future.join(a, b).onComplete(done -> test.verify(() -> {
        assertEquals("redis went away", a.cause().getMessage());
        assertEquals("redis went away", b.cause().getMessage());
        test.completeNow();
      }));
    });
  }

  @Test
  @DisplayName("a request from another thread joins the batch on the home context")
  void fromAnotherThread(Vertx vertx, VertxTestContext test) {
    Context home = vertx.getOrCreateContext();
    AtomicReference<Context> sentOn = new AtomicReference<>();
    TurnBatcher<Integer, Integer> batcher = new TurnBatcher<>(home, 64, 1, 100,
        i -> new IllegalStateException(), batch -> {
          sentOn.set(Vertx.currentContext());
          return Future.succeededFuture(batch);
        });
    batcher.submit(7).onComplete(test.succeeding(r -> test.verify(() -> {
      assertEquals(7, r);
      assertSame(home, sentOn.get());
      test.completeNow();
    })));
  }
}

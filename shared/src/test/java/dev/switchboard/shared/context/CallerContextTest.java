package dev.switchboard.shared.context;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("CallerContext: a shared client's result comes back on the calling event loop")
class CallerContextTest {

  /** Two event-loop contexts on different threads (each deployment takes the next event loop). */
  private static Context[] twoLoops(Vertx vertx) throws Exception {
    Context caller = contextOfNewDeployment(vertx);
    Thread callerThread = threadOf(caller);
    for (int i = 0; i < 16; i++) {
      Context other = contextOfNewDeployment(vertx);
      if (threadOf(other) != callerThread) {
        return new Context[] {caller, other};
      }
    }
    throw new IllegalStateException("one event loop only");
  }

  private static Context contextOfNewDeployment(Vertx vertx) throws Exception {
    CompletableFuture<Context> deployed = new CompletableFuture<>();
    vertx.deployVerticle(new VerticleBase() {
      @Override
      public Future<?> start() {
        deployed.complete(context);
        return Future.succeededFuture();
      }
    });
    return deployed.get();
  }

  private static Thread threadOf(Context context) throws Exception {
    CompletableFuture<Thread> thread = new CompletableFuture<>();
    context.runOnContext(v -> thread.complete(Thread.currentThread()));
    return thread.get();
  }

  @Test
  @DisplayName("completed on another event loop, later: the caller's listeners run on the caller's thread")
  void handsBackLaterResult(Vertx vertx, VertxTestContext testContext) throws Exception {
    Context[] loops = twoLoops(vertx);
    Thread callerThread = threadOf(loops[0]);
    Thread otherThread = threadOf(loops[1]);
    Checkpoint done = testContext.checkpoint(2);
    loops[0].runOnContext(v -> {
      Promise<String> shared = Promise.promise(); // completed by whoever completes it: the other loop here
      shared.future().onSuccess(s -> testContext.verify(() -> {
        assertSame(otherThread, Thread.currentThread(), "without CallerContext: the completer's thread");
        done.flag();
      }));
      CallerContext.of(shared.future()).onSuccess(s -> testContext.verify(() -> {
        assertEquals("ok", s);
        assertSame(callerThread, Thread.currentThread());
        done.flag();
      }));
      loops[1].runOnContext(w -> shared.complete("ok"));
    });
  }

  @Test
  @DisplayName("already completed on another loop's context: still answered on the caller's thread")
  void handsBackCompletedResult(Vertx vertx, VertxTestContext testContext) throws Exception {
    Context[] loops = twoLoops(vertx);
    Thread callerThread = threadOf(loops[0]);
    assertNotEquals(callerThread, threadOf(loops[1]));
    CompletableFuture<Future<String>> made = new CompletableFuture<>();
    loops[1].runOnContext(v -> {
      // a future of the other loop's context (a timer's), handed over once complete
      Future<String> onOther = vertx.timer(1).map(t -> "done");
      onOther.onComplete(ar -> made.complete(onOther));
    });
    Future<String> completed = made.get();
    loops[0].runOnContext(v -> CallerContext.of(completed).onComplete(testContext.succeeding(s ->
        testContext.verify(() -> {
          assertEquals("done", s);
          assertSame(callerThread, Thread.currentThread());
          testContext.completeNow();
        }))));
  }
}

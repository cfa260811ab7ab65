package dev.switchboard.worker;

import dev.switchboard.api.tasks.TaskContext;
import dev.switchboard.api.tasks.TaskDefinition;
import static dev.switchboard.api.tasks.TaskSignature.param;

import dev.switchboard.api.tasks.TaskSignature;
import dev.switchboard.api.tasks.TaskSignature.Type;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** Tasks that let tests see what the worker did: how often each task id ran, in which order, how many at once. */
final class TestTasks {

  final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
  final Map<String, List<Long>> startedAt = new ConcurrentHashMap<>();
  final List<String> order = new CopyOnWriteArrayList<>();
  final AtomicInteger running = new AtomicInteger();
  final AtomicInteger maxRunning = new AtomicInteger();
  /** Tasks that wait for the test: complete the promise of a tag to let {@code stage(tag)} finish. */
  final Map<String, Promise<Object>> gates = new ConcurrentHashMap<>();

  int runs(String id) {
    AtomicInteger count = runs.get(id);
    return count == null ? 0 : count.get();
  }

  private void started(TaskContext context) {
    runs.computeIfAbsent(context.id(), id -> new AtomicInteger()).incrementAndGet();
    startedAt.computeIfAbsent(context.id(), id -> new CopyOnWriteArrayList<>()).add(System.currentTimeMillis());
    order.add(context.args().isEmpty() ? context.id() : String.valueOf(context.args().getValue(0)));
  }

  TaskRegistry registry() {
    return TaskRegistry.shipped()
        // count(tag): records the run, returns how many times this id ran
        .register(TaskDefinition.async("count", TaskSignature.of(param("tag", Type.ANY)), context -> {
          started(context);
          return Future.succeededFuture(runs(context.id()));
        }))
        .register(TaskDefinition.async("fail", TaskSignature.of(), context -> {
          started(context);
          return Future.failedFuture(new IllegalStateException("boom"));
        }))
        // flaky(failures): fails with IOException until it has failed `failures` times
        .register(TaskDefinition.async("flaky", TaskSignature.of(param("failures", Type.INTEGER)), context -> {
          started(context);
          return context.retries() < context.args().getInteger(0)
              ? Future.failedFuture(new IOException("flaky attempt " + context.retries()))
              : Future.succeededFuture("ok after " + context.retries());
        }))
        // work(tag, ms): blocking work of ms milliseconds on the worker pool; tracks concurrency
        .register(TaskDefinition.blocking("work", TaskSignature.of(param("tag", Type.ANY), param("ms", Type.INTEGER)), context -> {
          started(context);
          maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
          try {
            Thread.sleep(context.args().getLong(1)); // simulated blocking work, not synchronisation
            return "done";
          } catch (InterruptedException e) {
            return context.softTimeLimitExceeded() ? "soft limit" : "interrupted";
          } finally {
            running.decrementAndGet();
          }
        }))
        // wait(tag, ms): async, completes after ms on a timer; tracks concurrency
        .register(TaskDefinition.async("wait", TaskSignature.of(param("tag", Type.ANY), param("ms", Type.INTEGER)), context -> {
          started(context);
          maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
          return context.vertx().timer(context.args().getLong(1)).andThen(done -> running.decrementAndGet()).map("waited");
        }))
        // stubborn(tag, ms): blocking work of ms milliseconds that ignores interrupts (a body a hard limit cannot stop)
        .register(TaskDefinition.blocking("stubborn", TaskSignature.of(param("tag", Type.ANY), param("ms", Type.INTEGER)), context -> {
          started(context);
          maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
          long until = System.currentTimeMillis() + context.args().getLong(1);
          try {
            for (long left = until - System.currentTimeMillis(); left > 0; left = until - System.currentTimeMillis()) {
              try {
                Thread.sleep(left); // simulated blocking work, not synchronisation
              } catch (InterruptedException ignored) {
                // stubborn: carries on
              }
            }
            return "done";
          } finally {
            running.decrementAndGet();
          }
        }))
        // again(n): asks to retry 300 ms later until its attempt number passes n, then returns the attempt number
        .register(TaskDefinition.async("again", TaskSignature.of(param("n", Type.INTEGER)), context -> {
          started(context);
          return context.attempt() <= context.args().getInteger(0)
              ? Future.failedFuture(context.retry(Duration.ofMillis(300), new IOException("not yet")))
              : Future.succeededFuture(context.attempt());
        }))
        // stage(tag): reports state DOWNLOADING with meta, then finishes when the test releases it
        .register(TaskDefinition.async("stage", TaskSignature.of(param("tag", Type.STRING)), context -> {
          started(context);
          Promise<Object> released = gates.computeIfAbsent(context.args().getString(0), tag -> Promise.promise());
          return context.updateState("DOWNLOADING", new JsonObject().put("file", "a.csv").put("done", 3))
              .compose(v -> released.future());
        }))
        .register(TaskDefinition.async("hang", TaskSignature.of(), context -> {
          started(context);
          return Promise.promise().future();
        }))
        .register(TaskDefinition.async("limited", TaskSignature.of(param("tag", Type.ANY)), context -> {
          started(context);
          return Future.succeededFuture();
        }).withRateLimit("2/s"));
  }
}

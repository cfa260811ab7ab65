package dev.switchboard.testkit;

import dev.switchboard.api.SwitchboardApp;
import dev.switchboard.api.tasks.TaskContext;
import dev.switchboard.api.tasks.TaskDefinition;
import dev.switchboard.shared.apps.AppCatalog;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs an app's task in the test, without Redis or a worker (Celery's {@code task_always_eager}): the arguments are
 * bound to the task's signature as a client would, the body runs (async on a Vert.x context, blocking on the calling
 * thread), progress reports are recorded.
 */
public final class EagerTasks {

  /** What an eager run produced: the result and every progress payload, in order. */
  public record Result(Object value, List<JsonObject> progress) {
  }

  private EagerTasks() {
  }

  /** Runs task {@code name} of {@code app} with {@code args}; throws what the task failed with (wrapped if checked). */
  public static Result run(SwitchboardApp app, String name, Object... args) {
    TaskDefinition task = AppCatalog.of(List.of(app)).tasks().stream().filter(t -> t.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("app " + app.name() + " has no task " + name));
    JsonArray bound = task.signature().bind(name, new JsonArray(Arrays.asList(args)), null);
    Vertx vertx = Vertx.vertx();
    List<JsonObject> progress = Collections.synchronizedList(new ArrayList<>());
    EagerContext context = new EagerContext(vertx, name, bound, progress);
    try {
      Object value = task.isBlocking()
          ? task.blocking().run(context)
          : runOnEventLoop(vertx, task.async(), context).await(SwitchboardTestNode.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      return new Result(value, List.copyOf(progress));
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("task " + name + " failed: " + e, e);
    } finally {
      vertx.close();
    }
  }

  private record EagerContext(Vertx vertx, String name, JsonArray args, List<JsonObject> reports) implements TaskContext {

    @Override
    public String id() {
      return "eager-" + name;
    }

    @Override
    public int retries() {
      return 0;
    }

    @Override
    public Future<Void> progress(JsonObject payload) {
      reports.add(payload.copy());
      return Future.succeededFuture();
    }

    /** Recorded as {@code {"custom_state": state, "meta": meta}}. */
    @Override
    public Future<Void> updateState(String state, JsonObject meta) {
      reports.add(new JsonObject().put("custom_state", state).put("meta", meta == null ? null : meta.copy()));
      return Future.succeededFuture();
    }

    @Override
    public boolean softTimeLimitExceeded() {
      return false;
    }

    @Override
    public boolean cancelled() {
      return false;
    }
  }

  /** An async body runs on an event loop, as on a worker: the blocked-thread checker watches it there. */
  private static Future<Object> runOnEventLoop(Vertx vertx, TaskDefinition.Async body, TaskContext context) {
    Promise<Object> done = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> {
      try {
        body.run(context).<Object>map(result -> result).onComplete(done);
      } catch (RuntimeException e) {
        done.fail(e);
      }
    });
    return done.future();
  }
}

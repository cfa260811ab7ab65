package dev.switchboard.api.workflows;

import dev.switchboard.api.tasks.TaskOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.Objects;

/**
 * One task call inside a {@link Workflow}, Celery's signature: the task's name, its arguments and options. In a
 * chain, the previous step's result is put before {@code args} (Celery's {@code add.s(10)} after {@code add(2, 3)}
 * runs {@code add(5, 10)}); an {@link #immutable()} signature (Celery's {@code .si()}) takes no such argument.
 * Options are those of {@link TaskOptions} except {@code task_id}: workflow members get their ids from the workflow.
 */
public record Signature(String task, JsonArray args, JsonObject kwargs, TaskOptions options, boolean immutable)
    implements Workflow {

  public Signature {
    Objects.requireNonNull(task, "task");
    args = args == null ? new JsonArray() : args;
    kwargs = kwargs == null ? new JsonObject() : kwargs;
    options = options == null ? TaskOptions.defaults() : options;
  }

  /** {@code task(args...)} with default options. */
  public static Signature of(String task, Object... args) {
    return new Signature(task, new JsonArray(Arrays.asList(args)), null, null, false);
  }

  public Signature withKwargs(JsonObject value) {
    return new Signature(task, args, value, options, immutable);
  }

  public Signature withOptions(TaskOptions value) {
    return new Signature(task, args, kwargs, value, immutable);
  }

  /** The same call, taking nothing from the step before it (Celery's {@code si()}). */
  public Signature asImmutable() {
    return new Signature(task, args, kwargs, options, true);
  }
}

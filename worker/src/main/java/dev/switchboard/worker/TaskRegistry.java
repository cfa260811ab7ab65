package dev.switchboard.worker;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The tasks a worker runs, by name. Filled before the worker starts; read-only afterwards. */
public final class TaskRegistry {

  private final Map<String, TaskDefinition> tasks = new LinkedHashMap<>();

  /** The shipped tasks: {@code add}, {@code noop}, {@code long_running}. */
  public static TaskRegistry shipped() {
    return new TaskRegistry().register(ShippedTasks.add()).register(ShippedTasks.noop()).register(ShippedTasks.longRunning());
  }

  public TaskRegistry register(TaskDefinition task) {
    if (tasks.putIfAbsent(task.name(), task) != null) {
      throw new IllegalArgumentException("task " + task.name() + " is registered twice");
    }
    return this;
  }

  public Optional<TaskDefinition> find(String name) {
    return Optional.ofNullable(tasks.get(name));
  }

  public Collection<TaskDefinition> all() {
    return tasks.values();
  }

  /** {@code {name: [count, windowMs]}} for every rate-limited task, as the claim script reads it. */
  JsonObject rateLimits() {
    JsonObject limits = new JsonObject();
    tasks.values().stream().filter(task -> task.rateLimit() != null).forEach(task ->
        limits.put(task.name(), new JsonArray().add(task.rateLimit().count()).add(task.rateLimit().windowMs())));
    return limits;
  }
}

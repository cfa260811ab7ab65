package dev.switchboard.worker;

import dev.switchboard.api.tasks.TaskDefinition;
import dev.switchboard.api.tasks.TaskContext;
import dev.switchboard.shared.apps.AppCatalog;
import dev.switchboard.shared.apps.AppManifest;
import io.vertx.sqlclient.Pool;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** The tasks a worker runs, by name. Filled before the worker starts; read-only afterwards. */
public final class TaskRegistry {

  private final Map<String, TaskDefinition> tasks = new LinkedHashMap<>();
  private final Map<String, Pool> pools = new HashMap<>();

  /** The shipped tasks ({@link BuiltinTasksApp}): {@code add}, {@code noop}, {@code long_running}. */
  public static TaskRegistry shipped() {
    return of(AppCatalog.of(List.of(new BuiltinTasksApp())));
  }

  /** Every task of {@code apps} (the catalog already refused a name claimed twice). */
  public static TaskRegistry of(AppCatalog apps) {
    return of(apps, app -> Optional.empty());
  }

  /** Every task of {@code apps}, each given the pool {@code poolOf} its app ({@link TaskContext#pool()}). */
  public static TaskRegistry of(AppCatalog apps, Function<AppManifest, Optional<Pool>> poolOf) {
    TaskRegistry registry = new TaskRegistry();
    for (AppManifest app : apps.apps()) {
      Optional<Pool> pool = poolOf.apply(app);
      for (TaskDefinition task : app.tasks()) {
        registry.register(task);
        pool.ifPresent(p -> registry.pools.put(task.name(), p));
      }
    }
    return registry;
  }

  /** The pool of {@code task}'s app, when it has one on this node. */
  public Optional<Pool> pool(String task) {
    return Optional.ofNullable(pools.get(task));
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

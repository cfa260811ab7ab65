package dev.switchboard.shared.apps;

import dev.switchboard.api.SwitchboardApp;
import dev.switchboard.api.tasks.TaskDefinition;
import dev.switchboard.shared.tasks.Schedule;
import dev.switchboard.shared.routes.RoutePattern;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every app a node runs, checked together: no two apps (or one app twice) claim one app name, URL pattern (parameter
 * names aside), consumer name or task name. Immutable; created once by the launcher and handed to each role.
 */
public record AppCatalog(List<AppManifest> apps) {

  public AppCatalog {
    apps = List.copyOf(apps);
    Map<String, String> names = new HashMap<>();
    Map<String, String> patterns = new HashMap<>();
    Map<String, String> consumers = new HashMap<>();
    Map<String, String> tasks = new HashMap<>();
    Map<String, String> schedules = new HashMap<>();
    for (AppManifest app : apps) {
      claim(names, app.name(), app.name(), "the name " + app.name());
      for (WebsocketRoute route : app.websockets()) {
        claim(patterns, RoutePattern.shape(route.pattern()), app.name(), "route " + route.pattern());
        claim(consumers, route.consumer(), app.name(), "consumer name " + route.consumer());
      }
      for (HttpRoute route : app.http()) {
        claim(patterns, RoutePattern.shape(route.pattern()), app.name(), "route " + route.pattern());
        claim(consumers, route.consumer(), app.name(), "consumer name " + route.consumer());
      }
      for (TaskDefinition task : app.tasks()) {
        claim(tasks, task.name(), app.name(), "task " + task.name());
      }
      for (Schedule schedule : app.schedules()) {
        claim(schedules, schedule.name(), app.name(), "schedule " + schedule.name());
      }
    }
  }

  /** The apps {@link java.util.ServiceLoader} finds through {@code loader} (the built-in ones on a node's class path). */
  public static AppCatalog discover(ClassLoader loader) {
    return new AppCatalog(AppLoader.discoverManifests(loader));
  }

  /** The catalog of {@code apps}, each configured once; fails with an AppException on the first problem. */
  public static AppCatalog of(List<? extends SwitchboardApp> apps) {
    return new AppCatalog(apps.stream().map(AppManifest::of).toList());
  }

  public List<WebsocketRoute> websocketRoutes() {
    return apps.stream().flatMap(app -> app.websockets().stream()).toList();
  }

  public List<HttpRoute> httpRoutes() {
    return apps.stream().flatMap(app -> app.http().stream()).toList();
  }

  public List<TaskDefinition> tasks() {
    return apps.stream().flatMap(app -> app.tasks().stream()).toList();
  }

  /** The periodic tasks the apps declare; each worker writes them to Redis at start. */
  public List<Schedule> schedules() {
    return apps.stream().flatMap(app -> app.schedules().stream()).toList();
  }

  public List<AppVerticle> verticles() {
    return apps.stream().flatMap(app -> app.verticles().stream()).toList();
  }

  public Optional<AppManifest> app(String name) {
    return apps.stream().filter(app -> app.name().equals(name)).findFirst();
  }

  /** True when some app uses PostgreSQL (declared migrations or a database). */
  public boolean usesDatabase() {
    return apps.stream().anyMatch(AppManifest::usesDatabase);
  }

  private static void claim(Map<String, String> claimed, String key, String app, String thing) {
    String earlier = claimed.putIfAbsent(key, "app " + app + " (" + thing + ")");
    if (earlier != null) {
      throw new AppException(thing + " of app " + app + " is already claimed by " + earlier);
    }
  }
}

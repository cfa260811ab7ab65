package dev.switchboard.shared.apps;

import dev.switchboard.api.AppBuilder;
import dev.switchboard.api.AppEnvironment;
import dev.switchboard.api.NodeRole;
import dev.switchboard.api.SwitchboardApp;
import dev.switchboard.api.consumers.WebsocketConsumer;
import dev.switchboard.api.http.HttpConsumer;
import dev.switchboard.api.tasks.PeriodicTask;
import dev.switchboard.api.tasks.TaskDefinition;
import dev.switchboard.api.tasks.TaskException;
import dev.switchboard.shared.tasks.Schedule;
import dev.switchboard.shared.routes.RoutePattern;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What one app declared in {@link SwitchboardApp#configure}, checked (patterns, consumer names, task names) as it was
 * declared. Immutable once built; the roles read from it what they need.
 */
public record AppManifest(String name, ClassLoader classLoader, List<WebsocketRoute> websockets, List<HttpRoute> http,
                          List<TaskDefinition> tasks, Optional<String> migrationsDir, boolean usesDatabase,
                          List<AppVerticle> verticles, List<Schedule> schedules) {

  /** Runs {@code app.configure} and records what it declares; fails with an AppException naming the app. */
  public static AppManifest of(SwitchboardApp app) {
    String name;
    try {
      name = app.name();
    } catch (RuntimeException e) {
      throw new AppException("app " + app.getClass().getName() + ": name() failed: " + e);
    }
    if (name == null || !name.matches("[A-Za-z0-9._-]{1,64}")) {
      throw new AppException("app " + app.getClass().getName() + ": bad name \"" + name
          + "\": expected 1 to 64 ASCII letters, digits, '.', '_' or '-'");
    }
    Recorder recorder = new Recorder(name);
    try {
      app.configure(recorder);
    } catch (AppException e) {
      throw e;
    } catch (RuntimeException | LinkageError e) {
      throw new AppException("app " + name + " (" + app.getClass().getName() + "): configure failed: " + e, e);
    }
    return new AppManifest(name, app.getClass().getClassLoader(), List.copyOf(recorder.websockets),
        List.copyOf(recorder.http), List.copyOf(recorder.tasks), Optional.ofNullable(recorder.migrations),
        recorder.database || recorder.migrations != null, List.copyOf(recorder.verticles), List.copyOf(recorder.schedules));
  }

  private static final java.util.regex.Pattern CONSUMER = java.util.regex.Pattern.compile("[A-Za-z0-9._-]{1,100}");

  private static final class Recorder implements AppBuilder {
    private final String app;
    private final List<WebsocketRoute> websockets = new ArrayList<>();
    private final List<HttpRoute> http = new ArrayList<>();
    private final List<TaskDefinition> tasks = new ArrayList<>();
    private final List<AppVerticle> verticles = new ArrayList<>();
    private final List<Schedule> schedules = new ArrayList<>();
    private String migrations;
    private boolean database;

    Recorder(String app) {
      this.app = app;
    }

    @Override
    public AppBuilder websocket(String pattern, String consumerName, Supplier<? extends WebsocketConsumer> factory) {
      websockets.add(new WebsocketRoute(app, requirePattern(pattern), requireConsumer(pattern, consumerName),
          require(factory, "websocket " + pattern)));
      return this;
    }

    @Override
    public AppBuilder http(String pattern, String consumerName, Supplier<? extends HttpConsumer> factory) {
      http.add(new HttpRoute(app, requirePattern(pattern), requireConsumer(pattern, consumerName),
          require(factory, "http " + pattern)));
      return this;
    }

    private String requirePattern(String pattern) {
      String problem = RoutePattern.problem(pattern);
      if (problem != null) {
        throw new AppException("app " + app + ": bad route pattern \"" + pattern + "\": " + problem);
      }
      return pattern;
    }

    /** Consumer names become event-bus addresses. */
    private String requireConsumer(String pattern, String name) {
      if (name == null || !CONSUMER.matcher(name).matches()) {
        throw new AppException("app " + app + ": bad consumer name \"" + name + "\" for route " + pattern
            + ": expected 1 to 100 ASCII letters, digits, '.', '_' or '-'");
      }
      return name;
    }

    @Override
    public AppBuilder task(TaskDefinition task) {
      require(task, "task");
      if (task.name() == null || task.name().isBlank() || task.signature() == null
          || (task.async() == null) == (task.blocking() == null)) {
        throw new AppException("app " + app + ": task \"" + task.name() + "\" needs a name, a signature and one body");
      }
      tasks.add(task);
      return this;
    }

    @Override
    public AppBuilder schedule(PeriodicTask schedule) {
      require(schedule, "schedule");
      try {
        schedules.add(Schedule.of(schedule));
      } catch (TaskException e) {
        throw new AppException("app " + app + ": schedule \"" + schedule.name() + "\": " + e.getMessage());
      }
      return this;
    }

    @Override
    public AppBuilder migrations(String classpathDir) {
      if (classpathDir == null || classpathDir.isBlank() || classpathDir.startsWith("/")) {
        throw new AppException("app " + app + ": migrations(\"" + classpathDir + "\"): expected a relative classpath directory");
      }
      if (migrations != null) {
        throw new AppException("app " + app + ": migrations declared twice (" + migrations + ", " + classpathDir + ")");
      }
      migrations = classpathDir.endsWith("/") ? classpathDir.substring(0, classpathDir.length() - 1) : classpathDir;
      return this;
    }

    @Override
    public AppBuilder database() {
      database = true;
      return this;
    }

    @Override
    public AppBuilder verticle(NodeRole where, Function<AppEnvironment, ? extends Deployable> factory,
                               DeploymentOptions options) {
      verticles.add(new AppVerticle(app, require(where, "verticle role"), require(factory, "verticle"),
          options == null ? new DeploymentOptions() : new DeploymentOptions(options)));
      return this;
    }

    private <T> T require(T value, String what) {
      if (value == null) {
        throw new AppException("app " + app + ": " + what + " is null");
      }
      return value;
    }
  }
}

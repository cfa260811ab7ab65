package dev.switchboard.api;

import dev.switchboard.api.consumers.WebsocketConsumer;
import dev.switchboard.api.http.HttpConsumer;
import dev.switchboard.api.tasks.PeriodicTask;
import dev.switchboard.api.tasks.TaskDefinition;
import dev.switchboard.api.tasks.TaskSignature;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What an app declares, Channels' {@code URLRouter} and Celery's task registry in one: handed to
 * {@link SwitchboardApp#configure}. Every method returns this builder, to chain.
 *
 * <p>URL patterns are paths whose segments are literal ({@code quickstart}) or parameters ({@code :name}, one
 * segment, handed to the consumer as {@code params}): {@code /ws/chat/:room}. A pattern that is malformed, or that
 * another app already claims (parameter names aside), stops the node at start with one line naming both. So does a
 * task name claimed twice.
 */
public interface AppBuilder {

  /**
   * Serves WebSocket connections on {@code pattern} with a new consumer from {@code factory} per connection. The
   * consumer's name (its event-bus address) is derived from the pattern's literal segments without a leading
   * {@code ws}: {@code /ws/chat/:room} → {@code chat}.
   */
  default AppBuilder websocket(String pattern, Supplier<? extends WebsocketConsumer> factory) {
    return websocket(pattern, consumerName(pattern), factory);
  }

  /** As {@link #websocket(String, Supplier)}, with an explicit consumer name. */
  AppBuilder websocket(String pattern, String consumerName, Supplier<? extends WebsocketConsumer> factory);

  /** Serves HTTP requests on {@code pattern} with a new HTTP consumer from {@code factory} per request. */
  default AppBuilder http(String pattern, Supplier<? extends HttpConsumer> factory) {
    return http(pattern, consumerName(pattern), factory);
  }

  /** As {@link #http(String, Supplier)}, with an explicit consumer name. */
  AppBuilder http(String pattern, String consumerName, Supplier<? extends HttpConsumer> factory);

  /** A task the worker role runs (async or blocking, see {@link TaskDefinition}). */
  AppBuilder task(TaskDefinition task);

  /** An async task, Celery's {@code @shared_task}: the body returns a Future and must not block. */
  default AppBuilder task(String name, TaskSignature signature, TaskDefinition.Async body) {
    return task(TaskDefinition.async(name, signature, body));
  }

  /** A task whose body may block: it runs on the worker's bounded blocking pool. */
  default AppBuilder blockingTask(String name, TaskSignature signature, TaskDefinition.Blocking body) {
    return task(TaskDefinition.blocking(name, signature, body));
  }

  /**
   * A periodic task, Celery beat's entry: {@code app.schedule(PeriodicTask.every("cleanup", "10m", "cleanup"))} or
   * {@code PeriodicTask.cron("report", "0 9 * * 1-5", "report").inZone("Europe/Paris")}. Each worker writes the app's
   * schedules to Redis when it starts (replacing a schedule of the same name, keeping its last run, so no occurrence
   * is sent twice); the one worker that leads the schedulers sends each occurrence once. Managed at run time like
   * those added over HTTP ({@code /api/schedules}); one removed there comes back when a worker starts again.
   */
  AppBuilder schedule(PeriodicTask schedule);

  /**
   * The app's SQL migrations: files {@code V<version>__<description>.sql} in the classpath directory
   * {@code classpathDir} of the app's jar, applied in version order at start on nodes that serve the app's consumers
   * or run its tasks, each in one transaction, under an advisory lock. They are recorded under the directory's last
   * segment ({@code db/quickstart} → scope {@code quickstart}); never edit an applied file, add a new version.
   * Implies {@link #database()}.
   */
  AppBuilder migrations(String classpathDir);

  /** The app uses PostgreSQL: its consumers get a pool ({@link AppEnvironment#pool()}). */
  AppBuilder database();

  /**
   * One of the app's own verticles, deployed on nodes with role {@code where} after the built-in roles; its
   * {@link DeploymentOptions#getConfig() config} is the app's settings unless {@code options} sets one. The factory
   * gets the node's environment for the app.
   */
  AppBuilder verticle(NodeRole where, Function<AppEnvironment, ? extends Deployable> factory, DeploymentOptions options);

  /** The consumer name {@link #websocket(String, Supplier)} and {@link #http(String, Supplier)} derive from a pattern. */
  static String consumerName(String pattern) {
    StringBuilder name = new StringBuilder();
    String[] segments = pattern.split("/");
    for (int i = 0; i < segments.length; i++) {
      String segment = segments[i];
      if (segment.isEmpty() || segment.startsWith(":") || (name.isEmpty() && segment.equals("ws"))) {
        continue;
      }
      if (!name.isEmpty()) {
        name.append('.');
      }
      name.append(segment);
    }
    return name.isEmpty() ? "root" : name.toString();
  }
}

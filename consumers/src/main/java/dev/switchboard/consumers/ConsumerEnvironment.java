package dev.switchboard.consumers;

import dev.switchboard.api.AppEnvironment;
import dev.switchboard.api.channels.ChannelLayer;
import dev.switchboard.api.tasks.TaskClient;
import dev.switchboard.consumers.data.Database;
import dev.switchboard.shared.config.SwitchboardConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.util.Optional;

/**
 * An app's {@link AppEnvironment} inside one verticle instance of the consumers runtime. The pool handle is opened on
 * first use from the verticle's context (so it closes with {@link #close()}, and the node's shared pool once its last
 * handle is closed); the task client is the node's, handed down.
 */
public final class ConsumerEnvironment implements AppEnvironment {

  private final String appName;
  private final Vertx vertx;
  private final ChannelLayer channelLayer;
  private final TaskClient tasks;
  private final SwitchboardConfig config;
  private final JsonObject settings;
  private final boolean usesDatabase;
  private Pool pool;

  /** {@code tasks}: the node's task client, created once by its composition root (null: none). */
  public ConsumerEnvironment(String appName, Vertx vertx, ChannelLayer channelLayer, TaskClient tasks,
                             SwitchboardConfig config, JsonObject settings, boolean usesDatabase) {
    this.appName = appName;
    this.vertx = vertx;
    this.channelLayer = channelLayer;
    this.tasks = tasks;
    this.config = config;
    this.settings = settings;
    this.usesDatabase = usesDatabase;
  }

  @Override
  public String appName() {
    return appName;
  }

  @Override
  public Vertx vertx() {
    return vertx;
  }

  @Override
  public ChannelLayer channelLayer() {
    return channelLayer;
  }

  @Override
  public TaskClient tasks() {
    if (tasks == null) {
      throw new IllegalStateException("tasks are unavailable: no Redis configured");
    }
    return tasks;
  }

  @Override
  public JsonObject settings() {
    return settings;
  }

  @Override
  public Optional<Pool> pool() {
    if (!usesDatabase || config.pgUrl().isEmpty()) {
      return Optional.empty();
    }
    if (pool == null) {
      pool = Database.pool(vertx, config);
    }
    return Optional.of(pool);
  }

  /** Closes this environment's pool handle, if it opened one. */
  public Future<Void> close() {
    return pool == null ? Future.succeededFuture() : pool.close();
  }
}

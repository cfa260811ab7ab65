package dev.switchboard.api;

import dev.switchboard.api.channels.ChannelLayer;
import dev.switchboard.api.tasks.TaskClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.util.Optional;

/**
 * What a node gives an app's consumers and verticles: the Vert.x instance, the cluster's channel layer, a task
 * client, the app's own settings and, when the app declared {@link AppBuilder#migrations migrations} or asked for
 * {@link AppBuilder#database() a database}, a PostgreSQL pool. One environment per verticle instance; everything in
 * it is non-blocking and safe to use from that verticle's event loop.
 */
public interface AppEnvironment {

  /** The name of the app this environment belongs to ({@link SwitchboardApp#name()}). */
  String appName();

  Vertx vertx();

  /** The channel layer: send to channels, join and leave groups, send to groups. */
  ChannelLayer channelLayer();

  /**
   * The node's task client (send tasks, read their state). Throws an IllegalStateException when the node has no
   * Redis configured (nodes started from the launcher always have one, embedded if need be).
   */
  TaskClient tasks();

  /**
   * The app's settings: the {@code apps.<name>} object of the node's configuration file (empty when there is none).
   * Never null; read-only by convention.
   */
  JsonObject settings();

  /**
   * The node's PostgreSQL pool, migrated to the app's schema, when the app declared migrations or a database and
   * the node has PostgreSQL; empty otherwise. Needs {@code io.vertx:vertx-sql-client} on the app's compile path
   * (managed by the Switchboard BOM).
   */
  Optional<Pool> pool();
}

package dev.switchboard.consumers.data;

import dev.switchboard.api.data.DatabaseErrors;
import dev.switchboard.shared.config.ConfigException;
import dev.switchboard.shared.config.PgSettings;
import dev.switchboard.shared.config.SwitchboardConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.util.List;
import java.util.Map;

/**
 * How Switchboard reaches PostgreSQL: the node's reactive pool (one per Vert.x instance and URL, shared by every
 * verticle that asks for it, so {@code pg.poolSize} bounds the node's connections), dedicated connections for
 * migrations, and which failures mean "the database is unavailable" (answered 503) rather than a bad query.
 *
 * <p>Every method returns at once; nothing here blocks.
 */
public final class Database {

  private Database() {
  }

  /**
   * A handle on the node's pool for {@code config.pgUrl()}. Call it from the verticle that uses the pool: the handle
   * closes with that verticle, and the pool itself once its last handle is closed. Fails with a ConfigException when
   * no URL is configured or the URL is not a PostgreSQL URL.
   */
  public static Pool pool(Vertx vertx, SwitchboardConfig config) {
    PgConnectOptions connect = connectOptions(config);
    PgSettings pg = config.pg();
    PoolOptions pool = new PoolOptions()
        .setShared(true)
        .setName("switchboard-pg:" + connect.getHost() + ":" + connect.getPort() + "/" + connect.getDatabase())
        .setMaxSize(pg.poolSize())
        .setMaxWaitQueueSize(pg.maxWaitQueueSize())
        .setConnectionTimeout(pg.acquireTimeoutMs())
        .setConnectionTimeoutUnit(java.util.concurrent.TimeUnit.MILLISECONDS)
        .setIdleTimeout(pg.idleTimeoutMs())
        .setIdleTimeoutUnit(java.util.concurrent.TimeUnit.MILLISECONDS);
    return PgBuilder.pool()
        .with(pool)
        .with(new NetClientOptions().setConnectTimeout(pg.connectTimeoutMs()))
        .connectingTo(connect)
        .using(vertx)
        .build();
  }

  /**
   * Applies {@code migrations} on a connection of its own, outside the shared pool (the advisory lock and session
   * settings must not leak into pooled connections), closed afterwards whatever the outcome.
   */
  public static Future<Migrations.Report> migrate(Vertx vertx, SwitchboardConfig config, List<Migration> migrations) {
    Pool single = PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(1))
        .with(new NetClientOptions().setConnectTimeout(config.pg().connectTimeoutMs()))
        .connectingTo(connectOptions(config))
        .using(vertx)
        .build();
    return single.getConnection()
        .compose(connection -> Migrations.apply(connection, migrations))
        .eventually(single::close);
  }

  static PgConnectOptions connectOptions(SwitchboardConfig config) {
    String url = config.pgUrl().orElseThrow(() -> new ConfigException("pg.url: no PostgreSQL configured"));
    PgConnectOptions options;
    try {
      options = PgConnectOptions.fromUri(url);
    } catch (RuntimeException e) {
      throw new ConfigException("pg.url: expected postgresql://user:password@host:port/database, got \"" + redact(url) + "\"");
    }
    PgSettings pg = config.pg();
    Map<String, String> properties = new java.util.HashMap<>();
    if (options.getProperties() != null) {
      properties.putAll(options.getProperties());
    }
    properties.put("application_name", "switchboard");
    properties.put("statement_timeout", Integer.toString(pg.statementTimeoutMs()));
    return options.setPipeliningLimit(pg.pipeliningLimit()).setProperties(properties);
  }

  /**
   * True when {@code failure} means PostgreSQL cannot serve right now: the public rule
   * ({@link DatabaseErrors#isUnavailable}), and never a migration that cannot be applied (retrying cannot fix that).
   */
  public static boolean isUnavailable(Throwable failure) {
    return !(failure instanceof MigrationException) && DatabaseErrors.isUnavailable(failure);
  }

  /** {@code url} without its password, for logs and health output. */
  public static String redact(String url) {
    return url.replaceAll("(//[^:/@]+):[^@/]*@", "$1:***@");
  }
}

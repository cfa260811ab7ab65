package dev.switchboard.consumers.data;

import dev.switchboard.shared.config.ConfigException;
import dev.switchboard.shared.config.PgSettings;
import dev.switchboard.shared.config.SwitchboardConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.DatabaseException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How Switchboard reaches PostgreSQL: the node's reactive pool (one per Vert.x instance and URL, shared by every
 * verticle that asks for it, so {@code pg.poolSize} bounds the node's connections), dedicated connections for
 * migrations, and which failures mean "the database is unavailable" (answered 503) rather than a bad query.
 *
 * <p>Every method returns at once; nothing here blocks.
 */
public final class Database {

  /** SQLSTATE classes and codes that mean the server is unreachable, shutting down, overloaded or not migrated yet. */
  private static final Set<String> UNAVAILABLE_CLASSES = Set.of("08", "53", "57");
  private static final Set<String> UNAVAILABLE_CODES = Set.of("42P01", "3D000");

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
   * True when {@code failure} means PostgreSQL cannot serve right now (down, unreachable, restarting, too busy, the
   * pool's wait queue full or its wait timed out, the schema not migrated yet): the caller should answer 503 and
   * may retry. False for errors of the query itself.
   */
  public static boolean isUnavailable(Throwable failure) {
    if (failure instanceof DatabaseException db) {
      String state = db.getSqlState() == null ? "" : db.getSqlState();
      return UNAVAILABLE_CODES.contains(state) || state.length() >= 2 && UNAVAILABLE_CLASSES.contains(state.substring(0, 2));
    }
    // anything else the client fails with is about the connection: refused, closed, timed out, queue full
    return !(failure instanceof IllegalArgumentException || failure instanceof MigrationException
        || failure instanceof NullPointerException || failure instanceof ClassCastException);
  }

  /** {@code url} without its password, for logs and health output. */
  public static String redact(String url) {
    return url.replaceAll("(//[^:/@]+):[^@/]*@", "$1:***@");
  }
}

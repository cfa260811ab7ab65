package dev.switchboard.consumers.data;

import dev.switchboard.shared.config.SwitchboardConfig;
import dev.switchboard.shared.protocol.Addresses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data layer of a node: brings the schema up to date at start, then answers this node's {@code pg} health
 * check. Deployed once per node, before the roles that use PostgreSQL.
 *
 * <p>Start-up fails when a migration cannot be applied or an applied one changed (retrying cannot fix that). When
 * PostgreSQL is merely unreachable the verticle starts anyway, so that everything that does not need the database
 * keeps serving; it retries the migrations with backoff, and the health check says DOWN until they are applied.
 */
public class DatabaseVerticle extends VerticleBase {

  static final long FIRST_RETRY_MS = 500;
  static final long MAX_RETRY_MS = 15_000;
  private static final Logger log = LoggerFactory.getLogger(DatabaseVerticle.class);

  private final List<Migration> migrations;
  private SwitchboardConfig config;
  private String url;
  private Pool pool;
  private volatile boolean migrated;
  private volatile String pending = "migrations not applied yet";
  private long retryTimer = -1;

  /** Applies {@code migrations}: those of the node's apps that use PostgreSQL ({@link AppMigrations#of}). */
  public DatabaseVerticle(List<Migration> migrations) {
    this.migrations = List.copyOf(migrations);
  }

  @Override
  public Future<?> start() {
    config = SwitchboardConfig.fromJson(config());
    url = Database.redact(config.pgUrl().orElse("(none)"));
    pool = Database.pool(vertx, config);
    return migrate()
        .recover(err -> {
          if (!Database.isUnavailable(err)) {
            return Future.failedFuture(err);
          }
          log.warn("PostgreSQL at {} is not reachable ({}): starting without it, migrations will be applied once it is",
              url, err.getMessage());
          scheduleRetry(FIRST_RETRY_MS);
          return Future.succeededFuture();
        })
        .compose(v -> vertx.eventBus()
            .<JsonObject>localConsumer(Addresses.localHealth("pg"), msg -> health().onComplete(status -> msg.reply(status.result())))
            .completion());
  }

  @Override
  public Future<?> stop() {
    if (retryTimer >= 0) {
      vertx.cancelTimer(retryTimer);
    }
    return pool.close();
  }

  /** True once every migration is applied; before that the tables may be missing. */
  public boolean migrated() {
    return migrated;
  }

  private Future<Migrations.Report> migrate() {
    return Database.migrate(vertx, config, migrations)
        .onSuccess(report -> {
          migrated = true;
          log.info("PostgreSQL at {}: schema up to date ({} migrations applied before, {} now)",
              url, report.alreadyApplied(), report.appliedNow());
        })
        .onFailure(err -> pending = "migrations not applied: " + err.getMessage());
  }

  private void scheduleRetry(long delayMs) {
    retryTimer = vertx.setTimer(delayMs, id -> migrate().onFailure(err -> {
      if (Database.isUnavailable(err)) {
        scheduleRetry(Math.min(delayMs * 2, MAX_RETRY_MS));
      } else {
        log.error("PostgreSQL at {} is reachable again but its schema cannot be brought up to date: {}", url, err.getMessage());
      }
    }));
  }

  private Future<JsonObject> health() {
    if (!migrated) {
      return Future.succeededFuture(new JsonObject().put("status", "DOWN").put("url", url).put("error", pending));
    }
    return pool.query("SELECT 1").execute()
        .map(rows -> new JsonObject().put("status", "UP").put("url", url).put("migrations", migrations.size()))
        .otherwise(err -> new JsonObject().put("status", "DOWN").put("url", url).put("error", String.valueOf(err.getMessage())));
  }
}

package dev.switchboard.consumers.data;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a database up to date with versioned SQL files: under a PostgreSQL session advisory lock, so that nodes
 * starting together apply each migration exactly once (the others wait, then find it applied); each migration and
 * its history row in one transaction, so a failed one leaves nothing behind; in version order within a scope.
 *
 * <p>An applied migration whose file changed since fails the Future with a {@link MigrationException} that names
 * it: the schema no longer matches the code, and start-up must stop. A migration recorded in the database but not
 * known here (a newer node migrated first) is left alone.
 */
public final class Migrations {

  private static final Logger log = LoggerFactory.getLogger(Migrations.class);

  private Migrations() {
  }

  /** What {@link #apply} did: how many migrations were already applied and how many it applied now. */
  public record Report(int alreadyApplied, int appliedNow) {
  }

  /**
   * Applies {@code migrations} on {@code connection}, a dedicated connection (not a pooled one: the lock and the
   * session's {@code statement_timeout = 0} belong to it), and closes it whatever the outcome.
   */
  public static Future<Report> apply(SqlConnection connection, List<Migration> migrations) {
    return connection.query("SET statement_timeout = 0; SET client_min_messages = warning").execute()
        .compose(v -> connection.preparedQuery(MigrationSql.LOCK).execute(Tuple.of(MigrationSql.LOCK_KEY)))
        .compose(locked -> connection.query(MigrationSql.CREATE_HISTORY).execute()
            .compose(v -> applied(connection))
            .compose(applied -> applyMissing(connection, migrations, applied))
            .eventually(() -> connection.preparedQuery(MigrationSql.UNLOCK).execute(Tuple.of(MigrationSql.LOCK_KEY))))
        .eventually(connection::close);
  }

  private static Future<Map<String, String>> applied(SqlConnection connection) {
    return connection.query(MigrationSql.APPLIED).execute().map(rows -> {
      Map<String, String> checksums = new HashMap<>();
      for (Row row : rows) {
        checksums.put(key(row.getString("scope"), row.getInteger("version")), row.getString("checksum"));
      }
      return checksums;
    });
  }

  private static Future<Report> applyMissing(SqlConnection connection, List<Migration> migrations, Map<String, String> applied) {
    int already = 0;
    Future<Integer> chain = Future.succeededFuture(0);
    for (Migration migration : migrations) {
      String checksum = applied.get(key(migration.scope(), migration.version()));
      if (checksum == null) {
        chain = chain.compose(count -> applyOne(connection, migration).map(v -> count + 1));
      } else if (!checksum.equals(migration.checksum())) {
        return Future.failedFuture(new MigrationException("migration " + migration.label()
            + " was changed after it was applied (checksum in the database " + abbreviate(checksum) + ", in this build "
            + abbreviate(migration.checksum()) + "): restore the applied file and put the change in a new migration"));
      } else {
        already++;
      }
    }
    int alreadyApplied = already;
    return chain.map(now -> new Report(alreadyApplied, now));
  }

  private static Future<Void> applyOne(SqlConnection connection, Migration migration) {
    long started = System.nanoTime();
    return connection.begin().compose(tx -> connection.query(migration.sql()).execute()
            .compose(v -> connection.preparedQuery(MigrationSql.RECORD).execute(
                Tuple.of(migration.scope(), migration.version(), migration.file(), migration.checksum())))
            .compose(v -> tx.commit())
            .recover(err -> tx.rollback().transform(r -> Future.<Void>failedFuture(err))))
        .recover(err -> Future.failedFuture(Database.isUnavailable(err) ? err : new MigrationException(
            "migration " + migration.label() + " failed and was rolled back: " + err.getMessage(), err)))
        .onSuccess(v -> log.info("applied migration {} in {} ms", migration.label(), (System.nanoTime() - started) / 1_000_000));
  }

  private static String key(String scope, int version) {
    return scope + "/" + version;
  }

  private static String abbreviate(String checksum) {
    return checksum.length() > 12 ? checksum.substring(0, 12) + "…" : checksum;
  }
}

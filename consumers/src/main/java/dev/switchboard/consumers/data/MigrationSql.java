package dev.switchboard.consumers.data;

/** The statements of {@link Migrations}: the history table and the advisory lock that serialises nodes. */
final class MigrationSql {

  /** Key of the session-level advisory lock held while a node migrates ('SWBMIGR'). */
  static final long LOCK_KEY = 0x535742_4d494752L;

  static final String LOCK = "SELECT pg_advisory_lock($1)";
  static final String UNLOCK = "SELECT pg_advisory_unlock($1)";

  static final String CREATE_HISTORY = """
      CREATE TABLE IF NOT EXISTS switchboard_migrations (
        scope      text        NOT NULL,
        version    integer     NOT NULL,
        file       text        NOT NULL,
        checksum   text        NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (scope, version)
      )""";

  static final String APPLIED = "SELECT scope, version, file, checksum FROM switchboard_migrations";

  static final String RECORD = "INSERT INTO switchboard_migrations (scope, version, file, checksum) VALUES ($1, $2, $3, $4)";

  private MigrationSql() {
  }
}

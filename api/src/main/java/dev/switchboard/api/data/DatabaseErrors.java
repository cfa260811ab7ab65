package dev.switchboard.api.data;

import io.vertx.sqlclient.DatabaseException;
import java.util.Set;

/**
 * Which failures of the node's PostgreSQL pool ({@code AppEnvironment.pool()}, {@code TaskContext.pool()}) mean the
 * database cannot serve right now, rather than that the query is wrong: answer 503 (or retry the task later) for
 * those, and treat the rest as a bug or bad input. Needs {@code io.vertx:vertx-sql-client} on the class path, as the
 * pool does.
 */
public final class DatabaseErrors {

  /** SQLSTATE classes: connection exception, insufficient resources, operator intervention (shutdown, restart). */
  private static final Set<String> UNAVAILABLE_CLASSES = Set.of("08", "53", "57");
  /** SQLSTATE codes: undefined table (the schema is not migrated yet), the database does not exist (yet). */
  private static final Set<String> UNAVAILABLE_CODES = Set.of("42P01", "3D000");

  private DatabaseErrors() {
  }

  /**
   * True when {@code failure} means PostgreSQL cannot serve right now: down, unreachable, restarting, too busy, the
   * pool's wait queue full or its wait timed out, the schema not migrated yet. False for an error PostgreSQL reported
   * about the statement itself (syntax, constraint, type), and for the caller's own IllegalArgumentException,
   * NullPointerException or ClassCastException.
   */
  public static boolean isUnavailable(Throwable failure) {
    if (failure instanceof DatabaseException db) {
      String state = db.getSqlState() == null ? "" : db.getSqlState();
      return UNAVAILABLE_CODES.contains(state) || state.length() >= 2 && UNAVAILABLE_CLASSES.contains(state.substring(0, 2));
    }
    // anything else the client fails with is about the connection: refused, closed, timed out, queue full
    return !(failure == null || failure instanceof IllegalArgumentException || failure instanceof NullPointerException
        || failure instanceof ClassCastException);
  }
}

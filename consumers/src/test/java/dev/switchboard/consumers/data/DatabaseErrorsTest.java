package dev.switchboard.consumers.data;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.api.data.DatabaseErrors;
import io.vertx.pgclient.PgException;
import java.net.ConnectException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Which PostgreSQL failures mean \"unavailable, answer 503\" (the public DatabaseErrors rule) and which mean a bad query")
class DatabaseErrorsTest {

  private static PgException state(String sqlState) {
    return new PgException("failed", "ERROR", sqlState, null);
  }

  @Test
  @DisplayName("connection, resource and shutdown classes, a missing table or database, and client-side connection failures are unavailability")
  void unavailable() {
    for (String code : new String[] {"08006", "08001", "53300", "57P01", "42P01", "3D000"}) {
      assertTrue(DatabaseErrors.isUnavailable(state(code)), code);
    }
    assertTrue(DatabaseErrors.isUnavailable(new ConnectException("Connection refused")));
  }

  @Test
  @DisplayName("errors about the statement, the caller's own bugs, and (for the node) a changed migration are not")
  void notUnavailable() {
    for (String code : new String[] {"23505", "42601", "22P02", "42P07"}) {
      assertFalse(DatabaseErrors.isUnavailable(state(code)), code);
    }
    assertFalse(DatabaseErrors.isUnavailable(new IllegalArgumentException("bad room")));
    assertFalse(DatabaseErrors.isUnavailable(new NullPointerException()));
    assertFalse(Database.isUnavailable(new MigrationException("migration chat V1 was changed", null)));
    assertTrue(Database.isUnavailable(state("57P01")), "the node's rule is the public one for everything else");
  }
}

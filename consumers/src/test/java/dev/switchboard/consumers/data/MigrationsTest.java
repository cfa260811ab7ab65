package dev.switchboard.consumers.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.shared.config.SwitchboardConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("Migrations on the machine's PostgreSQL, each test in a fresh database")
class MigrationsTest {

  private static final List<Migration> WIDGETS = Migration.load("test", "db/test", "V1__widgets.sql", "V2__widget_colour.sql");

  private String url;
  private SwitchboardConfig config;

  @BeforeEach
  void createDatabase(Vertx vertx, VertxTestContext testContext) {
    PgTesting.createDatabase(vertx).onSuccess(created -> {
      url = created;
      config = PgTesting.config(created);
    }).onComplete(testContext.succeedingThenComplete());
  }

  @AfterEach
  void dropDatabase(Vertx vertx, VertxTestContext testContext) {
    PgTesting.dropDatabase(vertx, url).onComplete(testContext.succeedingThenComplete());
  }

  @Test
  @Timeout(10_000)
  @DisplayName("from an empty database every migration is applied in version order and recorded; a re-run applies none")
  void fromEmptyThenRerun(Vertx vertx, VertxTestContext testContext) {
    Database.migrate(vertx, config, WIDGETS)
        .compose(first -> {
          testContext.verify(() -> assertEquals(new Migrations.Report(0, 2), first));
          return Database.migrate(vertx, config, WIDGETS);
        })
        .compose(second -> {
          testContext.verify(() -> assertEquals(new Migrations.Report(2, 0), second));
          return query(vertx, "SELECT scope || ' ' || version || ' ' || file AS row FROM switchboard_migrations ORDER BY version");
        })
        .compose(history -> {
          testContext.verify(() -> assertEquals(List.of("test 1 V1__widgets.sql", "test 2 V2__widget_colour.sql"), history));
          return query(vertx, "SELECT name || ' ' || colour AS row FROM widgets");
        })
        .onComplete(testContext.succeeding(widgets -> testContext.verify(() -> {
          assertEquals(List.of("first grey"), widgets, "V2 ran after V1, once");
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(10_000)
  @DisplayName("the shipped chat schema applies from empty, and a second start finds it up to date")
  void shippedChatSchema(Vertx vertx, VertxTestContext testContext) {
    List<Migration> chat = PgTesting.builtinMigrations();
    Database.migrate(vertx, config, chat)
        .compose(first -> Database.migrate(vertx, config, chat).map(second -> List.of(first, second)))
        .compose(reports -> query(vertx, "SELECT count(*)::text AS row FROM chat_messages").map(count -> reports))
        .onComplete(testContext.succeeding(reports -> testContext.verify(() -> {
          int shipped = chat.size();
          assertTrue(shipped > 0, "the built-in app declares db/chat");
          assertEquals(List.of(new Migrations.Report(0, shipped), new Migrations.Report(shipped, 0)), reports);
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(10_000)
  @DisplayName("an applied migration whose file changed stops start-up with a message naming it")
  void checksumMismatch(Vertx vertx, VertxTestContext testContext) {
    Migration original = WIDGETS.get(0);
    Migration edited = new Migration(original.scope(), original.version(), original.file(),
        original.sql() + "\n-- an innocent-looking edit", Migration.sha256("edited".getBytes()));
    Database.migrate(vertx, config, WIDGETS)
        .compose(v -> Database.migrate(vertx, config, List.of(edited, WIDGETS.get(1))))
        .onComplete(testContext.failing(err -> testContext.verify(() -> {
          assertInstanceOf(MigrationException.class, err);
          assertTrue(err.getMessage().startsWith("migration test V1 (V1__widgets.sql) was changed after it was applied"),
              err.getMessage());
          assertTrue(!Database.isUnavailable(err), "a changed migration is not a reason to retry");
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(10_000)
  @DisplayName("a migration that fails is rolled back whole: neither its tables nor its history row remain")
  void failingMigrationRollsBack(Vertx vertx, VertxTestContext testContext) {
    List<Migration> withBroken = new ArrayList<>(WIDGETS);
    withBroken.addAll(Migration.load("test", "db/test", "V3__broken.sql"));
    Database.migrate(vertx, config, withBroken)
        .transform(result -> {
          testContext.verify(() -> {
            assertTrue(result.failed(), "V3 divides by zero");
            assertInstanceOf(MigrationException.class, result.cause());
            assertTrue(result.cause().getMessage().contains("V3__broken.sql"), result.cause().getMessage());
          });
          return query(vertx, "SELECT to_regclass('half_done')::text AS row UNION ALL SELECT max(version)::text FROM switchboard_migrations");
        })
        .onComplete(testContext.succeeding(rows -> testContext.verify(() -> {
          assertEquals(List.of("null", "2"), rows, "no half_done table, V1 and V2 kept");
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(20_000)
  @DisplayName("two nodes starting at once against the same database apply each migration exactly once")
  void concurrentNodes(Vertx vertx, VertxTestContext testContext) {
    List<Migration> migrations = new ArrayList<>(WIDGETS);
    migrations.addAll(Migration.load("test", "db/test", "V4__slow_marker.sql"));
    Vertx otherNode = Vertx.vertx();
    Future.all(Database.migrate(vertx, config, migrations), Database.migrate(otherNode, config, migrations))
        .compose(both -> {
          Migrations.Report a = both.resultAt(0);
          Migrations.Report b = both.resultAt(1);
          testContext.verify(() -> {
            assertEquals(3, a.appliedNow() + b.appliedNow(), "each of the 3 migrations applied by one node: " + a + " " + b);
            assertEquals(3, a.alreadyApplied() + b.alreadyApplied(), "and found applied by the other: " + a + " " + b);
          });
          return query(vertx, "SELECT count(*)::text AS row FROM applied_once");
        })
        .eventually(otherNode::close)
        .onComplete(testContext.succeeding(count -> testContext.verify(() -> {
          assertEquals(List.of("1"), count);
          testContext.completeNow();
        })));
  }

  /** The first column (named {@code row}) of each row, as text ("null" for NULL). */
  private Future<List<String>> query(Vertx vertx, String sql) {
    Pool pool = PgBuilder.pool().connectingTo(url).using(vertx).build();
    return pool.query(sql).execute()
        .map(rows -> {
          List<String> values = new ArrayList<>();
          for (Row row : rows) {
            values.add(String.valueOf(row.getValue(0)));
          }
          return values;
        })
        .eventually(pool::close);
  }
}

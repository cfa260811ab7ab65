package dev.switchboard.consumers.data;

import dev.switchboard.consumers.builtin.BuiltinApp;
import dev.switchboard.shared.apps.AppManifest;
import dev.switchboard.shared.config.SwitchboardConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import java.util.List;
import java.util.UUID;

/**
 * The machine's PostgreSQL (SWITCHBOARD_TEST_PG_URL, default postgres@127.0.0.1:5432/test, trust auth), with a fresh
 * database per test class so that parallel runs never meet; dropped afterwards.
 */
public final class PgTesting {

  public static final String ADMIN_URL =
      System.getenv().getOrDefault("SWITCHBOARD_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test");

  private PgTesting() {
  }

  /** Creates an empty database and completes with its URL. */
  public static Future<String> createDatabase(Vertx vertx) {
    // the name is ours (never user input); identifiers cannot be bound as parameters
    String name = "sb_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    return admin(vertx, "CREATE DATABASE " + name).map(v -> ADMIN_URL.substring(0, ADMIN_URL.lastIndexOf('/') + 1) + name);
  }

  public static Future<Void> dropDatabase(Vertx vertx, String url) {
    if (url == null) {
      return Future.succeededFuture();
    }
    return admin(vertx, "DROP DATABASE IF EXISTS " + url.substring(url.lastIndexOf('/') + 1) + " WITH (FORCE)");
  }

  /** The built-in app's migrations ({@code db/chat}), found as a node finds any app's: from what the app declares. */
  public static List<Migration> builtinMigrations() {
    return AppMigrations.of(List.of(AppManifest.of(new BuiltinApp())));
  }

  public static SwitchboardConfig config(String url) {
    return SwitchboardConfig.fromJson(new JsonObject().put("pg", new JsonObject().put("url", url)));
  }

  private static Future<Void> admin(Vertx vertx, String sql) {
    Pool pool = PgBuilder.pool().connectingTo(ADMIN_URL).using(vertx).build();
    return pool.query(sql).execute().<Void>mapEmpty().eventually(pool::close);
  }
}

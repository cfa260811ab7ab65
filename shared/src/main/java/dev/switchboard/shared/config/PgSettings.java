package dev.switchboard.shared.config;

import io.vertx.core.json.JsonObject;

/**
 * The {@code pg} config section apart from its {@code url} ({@link SwitchboardConfig#pgUrl()}): how the reactive
 * pool talks to PostgreSQL, and where the embedded PostgreSQL keeps its data when no URL is configured.
 *
 * @param poolSize           connections in the pool of each node
 * @param pipeliningLimit    queries one connection sends before their answers arrive
 * @param maxWaitQueueSize   queries waiting for a free connection; beyond that a query fails at once (503)
 * @param connectTimeoutMs   how long opening one connection may take
 * @param acquireTimeoutMs   how long a query waits for a free connection before it fails (503)
 * @param idleTimeoutMs      an unused connection is closed after this long
 * @param statementTimeoutMs PostgreSQL's {@code statement_timeout} for every session of the pool
 * @param embeddedDir        data directory of the embedded PostgreSQL, relative to the working directory
 * @param embeddedPort       port of the embedded PostgreSQL; 0 picks a free one
 */
public record PgSettings(
    int poolSize,
    int pipeliningLimit,
    int maxWaitQueueSize,
    int connectTimeoutMs,
    int acquireTimeoutMs,
    int idleTimeoutMs,
    int statementTimeoutMs,
    String embeddedDir,
    int embeddedPort) {

  public static PgSettings defaults() {
    return fromJson(new JsonObject());
  }

  /** Reads the {@code pg} section of a whole config document. */
  public static PgSettings fromJson(JsonObject root) {
    Settings pg = new Settings(root, "pg");
    return new PgSettings(
        pg.integer("poolSize", 8, 1, 1000),
        pg.integer("pipeliningLimit", 256, 1, 65_536),
        pg.integer("maxWaitQueueSize", 1024, 0, 1_000_000),
        pg.integer("connectTimeoutMs", 5000, 100, 600_000),
        pg.integer("acquireTimeoutMs", 5000, 100, 600_000),
        pg.integer("idleTimeoutMs", 60_000, 1000, 86_400_000),
        pg.integer("statementTimeoutMs", 10_000, 0, 86_400_000),
        pg.string("embeddedDir", "switchboard-data/postgres"),
        pg.port("embeddedPort", 0));
  }

  /** The section without {@code url}, which {@link SwitchboardConfig#toJson()} adds. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("poolSize", poolSize)
        .put("pipeliningLimit", pipeliningLimit)
        .put("maxWaitQueueSize", maxWaitQueueSize)
        .put("connectTimeoutMs", connectTimeoutMs)
        .put("acquireTimeoutMs", acquireTimeoutMs)
        .put("idleTimeoutMs", idleTimeoutMs)
        .put("statementTimeoutMs", statementTimeoutMs)
        .put("embeddedDir", embeddedDir)
        .put("embeddedPort", embeddedPort);
  }
}

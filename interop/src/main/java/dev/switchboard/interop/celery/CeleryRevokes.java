package dev.switchboard.interop.celery;

import dev.switchboard.shared.tasks.LuaScript;
import dev.switchboard.shared.tasks.RedisTaskClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens to Celery's broadcast control channel for {@code revoke} (what {@code app.control.revoke(id)} and
 * {@code AsyncResult.revoke()} send) and revokes the Switchboard task of that id durably (the task hash says
 * REVOKED, cluster-wide; its Celery meta says REVOKED). An id with no task yet (the revoke beat its message here, or
 * it belongs to a Python worker) is kept in a bounded set that ingesting consults, for {@value #KEEP_MS} ms. Every
 * worker node listens; a revoke applied twice changes nothing.
 */
final class CeleryRevokes {

  private static final Logger log = LoggerFactory.getLogger(CeleryRevokes.class);
  private static final LuaScript REVOKE_EARLY = LuaScript.load(CeleryRevokes.class, "revoke_early.lua");
  private static final long RETRY_MS = 1_000;
  static final long KEEP_MS = 3_600_000;
  /** Early revokes kept at most (the newest). */
  static final int MAX_EARLY = 10_000;

  private final Vertx vertx;
  private final Redis subscriber;
  private final String pattern;
  private final RedisTaskClient client;
  private final CeleryKeys keys;
  private final Redis redis;
  private RedisConnection connection;
  private boolean stopped;

  CeleryRevokes(Vertx vertx, RedisOptions options, String pattern, RedisTaskClient client, CeleryKeys keys, Redis redis) {
    this.vertx = vertx;
    this.subscriber = Redis.createClient(vertx, new RedisOptions(options).setMaxPoolSize(1));
    this.pattern = pattern;
    this.client = client;
    this.keys = keys;
    this.redis = redis;
  }

  /** Completes once subscribed, so a revoke sent after the worker is up is heard. */
  Future<Void> start() {
    return subscriber.connect().compose(conn -> {
      connection = conn;
      conn.handler(this::onPush);
      conn.exceptionHandler(err -> lost(conn, err.getMessage()));
      conn.endHandler(v -> lost(conn, "connection closed"));
      return conn.send(Request.cmd(Command.PSUBSCRIBE).arg(pattern));
    }).mapEmpty();
  }

  void stop() {
    stopped = true;
    if (connection != null) {
      connection.close();
    }
    subscriber.close();
  }

  private void lost(RedisConnection conn, String why) {
    if (conn != connection || stopped) {
      return;
    }
    connection = null;
    log.warn("Celery control channel {} lost ({}); resubscribing", pattern, why);
    vertx.setTimer(RETRY_MS, id -> start().onFailure(err -> lost(null, err.getMessage())));
  }

  private void onPush(Response push) {
    if (push.size() < 4 || !"pmessage".equals(push.get(0).toString())) {
      return;
    }
    JsonObject command;
    try {
      JsonObject envelope = new JsonObject(push.get(3).toString());
      command = new JsonObject(new String(Base64.getDecoder().decode(envelope.getString("body", "")), StandardCharsets.UTF_8));
    } catch (DecodeException | IllegalArgumentException | ClassCastException e) {
      return; // not a JSON control message (pickle-serialized control is not ours to read)
    }
    if (!"revoke".equals(command.getString("method"))) {
      return;
    }
    Object ids = command.getJsonObject("arguments", new JsonObject()).getValue("task_id");
    List<String> list = ids instanceof JsonArray array ? array.stream().map(String::valueOf).toList()
        : ids == null ? List.of() : List.of(ids.toString());
    list.forEach(this::revoke);
  }

  private void revoke(String id) {
    REVOKE_EARLY.run(redis, List.of(keys.tasks().task(id), keys.revokedEarly()),
            List.of(id, System.currentTimeMillis(), KEEP_MS, MAX_EARLY))
        .compose(exists -> exists.toInteger() == 1 ? client.revoke(id).mapEmpty() : Future.succeededFuture())
        .onFailure(err -> log.warn("Celery revoke of {} failed: {}", id, err.getMessage()));
  }
}

package dev.switchboard.shared.tasks;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One task client's Redis pub/sub subscription to its notify channel ({@link TaskKeys#notifyChannel}), on a
 * connection of its own. Resubscribes by itself with backoff when the connection drops, and says so
 * ({@code onLost}): what was published meanwhile is gone. Runs on the client's home context. A message is one task's
 * final-state note (a JSON object) or several (a JSON array: a worker's batch of settles); each note is handed on alone.
 */
final class NotifyChannel {

  private static final Logger log = LoggerFactory.getLogger(NotifyChannel.class);
  private static final long MAX_BACKOFF_MS = 5_000;

  private final Vertx vertx;
  private final Context home;
  private final RedisOptions options;
  private final String channel;
  private final Consumer<JsonObject> onMessage;
  private final Runnable onLost;

  // guarded by this
  private Future<Void> subscribed;
  // touched on the home context only
  private Redis client;
  private RedisConnection connection;
  private long backoffMs;
  private volatile boolean closed;

  NotifyChannel(Vertx vertx, Context home, RedisOptions options, String channel, Consumer<JsonObject> onMessage,
      Runnable onLost) {
    this.vertx = vertx;
    this.home = home;
    this.options = options;
    this.channel = channel;
    this.onMessage = onMessage;
    this.onLost = onLost;
  }

  String name() {
    return channel;
  }

  /**
   * Subscribes on first call; completes once subscribed (or once the first attempt failed: callers proceed, the
   * re-read covers them until the subscription is back).
   */
  synchronized Future<Void> subscribed() {
    if (subscribed == null) {
      Promise<Void> ready = Promise.promise();
      subscribed = ready.future();
      home.runOnContext(v -> connect(ready));
    }
    return subscribed;
  }

  void close() {
    closed = true;
    home.runOnContext(v -> {
      if (connection != null) {
        connection.close();
      }
      if (client != null) {
        client.close();
      }
    });
  }

  private void connect(Promise<Void> ready) {
    if (closed) {
      ready.tryFail("task client closed");
      return;
    }
    if (client == null) {
      client = Redis.createClient(vertx, options);
    }
    client.connect()
        .compose(conn -> {
          connection = conn;
          conn.handler(this::onPush);
          conn.exceptionHandler(err -> lost(conn, err.getMessage()));
          conn.endHandler(v -> lost(conn, "connection closed"));
          return conn.send(Request.cmd(Command.SUBSCRIBE).arg(channel));
        })
        .onSuccess(reply -> {
          backoffMs = 0;
          ready.tryComplete();
        })
        .onFailure(err -> {
          ready.tryComplete();
          retry(err.getMessage());
        });
  }

  private void lost(RedisConnection conn, String why) {
    if (conn != connection || closed) {
      return;
    }
    connection = null;
    conn.close();
    retry(why);
  }

  private void retry(String why) {
    if (closed) {
      return;
    }
    backoffMs = Math.min(MAX_BACKOFF_MS, Math.max(50, backoffMs * 2));
    if (backoffMs > 50) {
      log.warn("task notify channel {} lost ({}); resubscribing in {} ms", channel, why, backoffMs);
    } else {
      log.info("task notify channel {} lost ({}); resubscribing", channel, why);
    }
    vertx.setTimer(backoffMs, t -> connect(Promise.promise()));
    onLost.run();
  }

  private void onPush(Response push) {
    if (push.size() < 3 || !"message".equals(push.get(0).toString())) {
      return; // subscribe confirmations and the like
    }
    String text = push.get(2).toString();
    if (text.startsWith("[")) {
      // a worker's batch of settles: one message holding every final state it recorded for this client
      JsonArray notes = new JsonArray(text);
      for (int i = 0; i < notes.size(); i++) {
        onMessage.accept(notes.getJsonObject(i));
      }
    } else {
      onMessage.accept(new JsonObject(text));
    }
  }
}

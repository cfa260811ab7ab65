package dev.switchboard.interop.celery;

import dev.switchboard.shared.metrics.SwitchboardMetrics;
import dev.switchboard.shared.tasks.LuaScript;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When the Celery broker is another Redis than Switchboard's, a task's state changes cannot write its Celery meta in
 * the same Lua script: they queue it on an outbox stream on Switchboard's Redis instead (celery_meta.lua), and this
 * relay writes each one on the Celery Redis (relay.lua: SETEX + PUBLISH, never a final meta replaced), then
 * acknowledges and deletes it. At least once: an entry whose relay died is claimed by another after the visibility
 * timeout; writing a meta twice is harmless. Every worker node with Celery traffic runs one (consumer group
 * {@value #GROUP}); the outbox's length is the gauge {@value #BACKLOG}.
 */
final class CeleryMetaRelay {

  static final String GROUP = "celery-relay";
  static final String RELAYED = "switchboard.celery.metas.relayed";
  static final String BACKLOG = "switchboard.celery.outbox.length";
  private static final Logger log = LoggerFactory.getLogger(CeleryMetaRelay.class);
  private static final LuaScript RELAY = LuaScript.load(CeleryMetaRelay.class, "relay.lua");
  private static final int BATCH = 100;
  private static final long BLOCK_MS = 1_000;
  private static final long RETRY_MS = 1_000;

  private final Vertx vertx;
  private final Redis switchboard;
  private final Redis blocking;
  private final Redis celery;
  private final String outbox;
  private final String consumer;
  private final long reclaimIdleMs;
  private final AtomicLong backlog = new AtomicLong();
  private final Counter relayed;
  private boolean running;
  private long lastReclaim;

  /** {@code blocking} speaks RESP2 (a stream reply is then an array, not a map) and is used for nothing else. */
  CeleryMetaRelay(Vertx vertx, Redis switchboard, Redis blocking, Redis celery, String outbox, String consumer,
      long reclaimIdleMs) {
    this.vertx = vertx;
    this.switchboard = switchboard;
    this.blocking = blocking;
    this.celery = celery;
    this.outbox = outbox;
    this.consumer = consumer;
    this.reclaimIdleMs = reclaimIdleMs;
    this.relayed = Counter.builder(RELAYED).description("Celery result metas written on the Celery broker's Redis")
        .register(SwitchboardMetrics.registry(vertx));
    Gauge.builder(BACKLOG, backlog, AtomicLong::get).description("Celery result metas waiting in the outbox")
        .register(SwitchboardMetrics.registry(vertx));
  }

  Future<Void> start() {
    running = true;
    return switchboard.send(Request.cmd(Command.XGROUP).arg("CREATE").arg(outbox).arg(GROUP).arg("0").arg("MKSTREAM"))
        .recover(err -> err.getMessage() != null && err.getMessage().startsWith("BUSYGROUP")
            ? Future.succeededFuture() : Future.failedFuture(err))
        .compose(v -> blocking.connect())
        .onSuccess(connection -> loop(connection, true))
        .mapEmpty();
  }

  void stop() {
    running = false;
  }

  /** Reclaims a dead relay's entries (at start, after a failure, every reclaim interval), else reads new ones. */
  private void loop(RedisConnection connection, boolean afterFailure) {
    if (!running) {
      connection.close();
      return;
    }
    long now = System.currentTimeMillis();
    boolean reclaim = afterFailure || now - lastReclaim >= reclaimIdleMs;
    if (reclaim) {
      lastReclaim = now;
    }
    Future<Response> read = reclaim
        ? switchboard.send(Request.cmd(Command.XAUTOCLAIM).arg(outbox).arg(GROUP).arg(consumer).arg(reclaimIdleMs)
            .arg("0-0").arg("COUNT").arg(BATCH)).map(reply -> reply.get(1))
        : connection.send(Request.cmd(Command.XREADGROUP).arg("GROUP").arg(GROUP).arg(consumer).arg("COUNT").arg(BATCH)
            .arg("BLOCK").arg(BLOCK_MS).arg("STREAMS").arg(outbox).arg(">"))
            .map(reply -> reply == null ? null : entries(reply));
    read.compose(this::relay)
        .compose(count -> switchboard.send(Request.cmd(Command.XLEN).arg(outbox)).map(length -> {
          backlog.set(length.toLong());
          return count;
        }))
        .onSuccess(count -> loop(connection, false))
        .onFailure(err -> {
          if (running) {
            log.warn("Celery meta relay from {}: {}; retrying in {} ms", outbox, err.getMessage(), RETRY_MS);
            vertx.setTimer(RETRY_MS, id -> loop(connection, true));
          }
        });
  }

  /** XREADGROUP's reply on the RESP2 connection: [[stream, entries]]. */
  private static Response entries(Response reply) {
    return reply.size() > 0 && reply.get(0) != null ? reply.get(0).get(1) : null;
  }

  /** Writes the entries in order, one after the other (one task's metas stay in order), acknowledging each. */
  private Future<Integer> relay(Response entries) {
    Future<Integer> chain = Future.succeededFuture(0);
    if (entries == null) {
      return chain;
    }
    for (Response entry : entries) {
      if (entry == null || entry.size() < 2 || entry.get(1) == null) {
        continue;
      }
      String entryId = entry.get(0).toString();
      Response fields = entry.get(1);
      String key = field(fields, "key");
      String meta = field(fields, "meta");
      String ttl = field(fields, "ttl");
      chain = chain.compose(n -> (key == null ? Future.<Response>succeededFuture()
              : RELAY.run(celery, List.of(key), List.of(meta == null ? "" : meta, ttl == null ? "86400" : ttl)))
          .compose(v -> switchboard.send(Request.cmd(Command.XACK).arg(outbox).arg(GROUP).arg(entryId)))
          .compose(v -> switchboard.send(Request.cmd(Command.XDEL).arg(outbox).arg(entryId)))
          .map(v -> {
            relayed.increment();
            return n + 1;
          }));
    }
    return chain;
  }

  private static String field(Response fields, String name) {
    for (int i = 0; i + 1 < fields.size(); i += 2) {
      if (name.equals(fields.get(i).toString())) {
        return fields.get(i + 1) == null ? null : fields.get(i + 1).toString();
      }
    }
    return null;
  }
}

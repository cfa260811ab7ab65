package dev.switchboard.gateway;

import dev.switchboard.shared.tasks.QueueControl;
import dev.switchboard.shared.tasks.RedisTaskClient;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Queue and worker control (Flower's and bull-board's buttons): {@code GET /api/queues} → each queue's state, depth
 * and counters; {@code POST /api/queues/{queue}/pause} and {@code .../resume} → {@code {"queue", "paused",
 * "changed"}}; {@code DELETE /api/queues/{queue}/tasks} → purge its waiting tasks, {@code {"queue", "purged"}};
 * {@code GET /api/workers} → the live workers. Unknown queue 404, malformed name 400, no Redis 503 (see
 * {@link QueueControl} for what each does).
 */
final class QueueRoutes {

  private final RedisTaskClient client;

  private QueueRoutes(RedisTaskClient client) {
    this.client = client;
  }

  /** Mounts the routes; {@code client} is null when no Redis is configured (every call then answers 503). */
  static void mount(Router router, RedisTaskClient client) {
    QueueRoutes routes = new QueueRoutes(client);
    router.route("/api/queues*").handler(routes::requireBroker);
    router.route("/api/workers").handler(routes::requireBroker);
    router.get("/api/queues").handler(routes::queues);
    router.post("/api/queues/:queue/pause").handler(rc -> routes.setPaused(rc, true));
    router.post("/api/queues/:queue/resume").handler(rc -> routes.setPaused(rc, false));
    router.delete("/api/queues/:queue/tasks").handler(routes::purge);
    router.get("/api/workers").handler(routes::workers);
  }

  private void requireBroker(RoutingContext rc) {
    if (client == null) {
      rc.fail(503, new IllegalStateException("tasks are unavailable: no Redis configured (redis.url)"));
    } else {
      rc.next();
    }
  }

  /** {@code {"queues": [{"queue", "paused", "consumed", "depth", "running", "oldestAgeMs", counters...}], "delayed"}}. */
  private void queues(RoutingContext rc) {
    client.inspector().queues()
        .onSuccess(queues -> json(rc, queues.toJson()))
        .onFailure(err -> rc.fail(ApiErrors.status(err), err));
  }

  private void setPaused(RoutingContext rc, boolean paused) {
    String queue = rc.pathParam("queue");
    QueueControl control = client.queueControl();
    (paused ? control.pause(queue) : control.resume(queue))
        .onSuccess(changed -> json(rc, new JsonObject().put("queue", queue).put("paused", paused).put("changed", changed)))
        .onFailure(err -> rc.fail(ApiErrors.status(err), err));
  }

  private void purge(RoutingContext rc) {
    String queue = rc.pathParam("queue");
    client.queueControl().purge(queue)
        .onSuccess(purged -> json(rc, new JsonObject().put("queue", queue).put("purged", purged)))
        .onFailure(err -> rc.fail(ApiErrors.status(err), err));
  }

  /** {@code {"workers": [{"name", "queues", "concurrency", "busy", "active", "completed", "started", "heartbeat", "alive"}]}}. */
  private void workers(RoutingContext rc) {
    client.inspector().workers()
        .onSuccess(workers -> json(rc, new JsonObject().put("workers", workers)))
        .onFailure(err -> rc.fail(ApiErrors.status(err), err));
  }

  private static void json(RoutingContext rc, JsonObject body) {
    rc.response().setStatusCode(200).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.encode());
  }
}

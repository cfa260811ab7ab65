package dev.switchboard.gateway;

import dev.switchboard.shared.config.SwitchboardConfig;
import dev.switchboard.shared.tasks.RedisTaskClient;
import dev.switchboard.api.tasks.TaskInfo;
import dev.switchboard.shared.tasks.TaskKeys;
import dev.switchboard.api.tasks.TaskState;
import dev.switchboard.api.tasks.TaskOptions;
import dev.switchboard.api.tasks.TaskClient;
import dev.switchboard.api.tasks.TaskException;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The task API: {@code POST /api/tasks/{name}} with {@code {"args": [...], "kwargs": {...}, "options": {...}}}
 * → 202 {@code {"id"}} and {@code Location}; {@code GET /api/tasks/{id}} → the task's state; {@code DELETE
 * /api/tasks/{id}} → revoke; {@code POST /api/tasks/{id}/retry} → 202 with the new task's id; {@code GET
 * /api/tasks?state=FAILURE&limit=50} → the newest tasks, optionally in one state (queues and workers:
 * {@link QueueRoutes}). Errors go through {@link ApiErrors}: unknown task or id 404, malformed JSON or wrong
 * arguments 400, body over {@code http.maxBodySize} 413, queue full or no Redis configured 503.
 */
final class TaskRoutes {

  static final int DEFAULT_LIST_LIMIT = 50;
  private static final Set<String> BODY_KEYS = Set.of("args", "kwargs", "options");
  /** The option that sends a task to Celery workers; never passed on to the task's options. */
  static final String CELERY_OPTION = "celery";
  private final RedisTaskClient client;
  private final TaskClient celery;

  private TaskRoutes(RedisTaskClient client, TaskClient celery) {
    this.client = client;
    this.celery = celery;
  }

  /**
   * Mounts the task API; {@code client} is null when no Redis is configured (every call then answers 503),
   * {@code celery} when there is no Celery client (a call for Celery then answers 400).
   */
  static void mount(Router router, RedisTaskClient client, TaskClient celery, SwitchboardConfig config) {
    TaskRoutes routes = new TaskRoutes(client, celery);
    router.route("/api/tasks*").handler(BodyHandler.create(false).setBodyLimit(config.http().maxBodySize()));
    router.route("/api/tasks*").handler(routes::requireBroker);
    router.get("/api/tasks").handler(routes::list);
    router.post("/api/tasks/:name").handler(routes::submit);
    router.get("/api/tasks/:id").handler(routes::status);
    router.delete("/api/tasks/:id").handler(routes::revoke);
    router.post("/api/tasks/:id/retry").handler(routes::retry);
  }

  private void requireBroker(RoutingContext rc) {
    if (client == null) {
      rc.fail(503, new IllegalStateException("tasks are unavailable: no Redis configured (redis.url)"));
    } else {
      rc.next();
    }
  }

  private void submit(RoutingContext rc) {
    String name = rc.pathParam("name");
    JsonObject body;
    try {
      body = rc.body().length() == 0 ? new JsonObject() : rc.body().asJsonObject();
      for (String key : body.fieldNames()) {
        if (!BODY_KEYS.contains(key)) {
          throw new IllegalArgumentException("unknown field \"" + key + "\", expected " + BODY_KEYS);
        }
      }
      if (body.containsKey("args") && !(body.getValue("args") instanceof JsonArray)
          || body.containsKey("kwargs") && !(body.getValue("kwargs") instanceof JsonObject)
          || body.containsKey("options") && !(body.getValue("options") instanceof JsonObject)) {
        throw new IllegalArgumentException("expected {\"args\": [...], \"kwargs\": {...}, \"options\": {...}}");
      }
    } catch (RuntimeException e) {
      rc.fail(400, new IllegalArgumentException("malformed request body: " + e.getMessage(), e));
      return;
    }
    JsonObject given = body.getJsonObject("options", new JsonObject()).copy();
    Object toCelery = given.remove(CELERY_OPTION);
    if (toCelery != null && !(toCelery instanceof Boolean)) {
      rc.fail(400, new IllegalArgumentException("options.celery: expected true or false, got " + toCelery));
      return;
    }
    if (Boolean.TRUE.equals(toCelery) && celery == null) {
      rc.fail(400, new IllegalArgumentException("options.celery: no Celery client on this gateway (redis.url unset)"));
      return;
    }
    TaskOptions options;
    try {
      options = TaskOptions.fromJson(given);
    } catch (RuntimeException e) {
      rc.fail(ApiErrors.status(e), e);
      return;
    }
    (Boolean.TRUE.equals(toCelery) ? celery : client).apply(name, body.getJsonArray("args"), body.getJsonObject("kwargs"), options)
        .onSuccess(handle -> rc.response().setStatusCode(202)
            .putHeader(HttpHeaders.LOCATION, "/api/tasks/" + handle.id())
            .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
            .end(new JsonObject().put("id", handle.id()).encode()))
        .onFailure(err -> rc.fail(ApiErrors.status(err), err));
  }

  private void status(RoutingContext rc) {
    String id = rc.pathParam("id");
    orCelery(client.info(id), () -> celery.info(id))
        .onSuccess(info -> json(rc, 200, info.toJson()))
        .onFailure(err -> rc.fail(ApiErrors.status(err), err));
  }

  private void revoke(RoutingContext rc) {
    String id = rc.pathParam("id");
    orCelery(client.revoke(id), () -> celery.revoke(id))
        .onSuccess(state -> json(rc, 200, new JsonObject().put("id", id).put("state", state.name())))
        .onFailure(err -> rc.fail(ApiErrors.status(err), err));
  }

  /** An id Switchboard does not know may be one sent to Celery: then the Celery client answers. */
  private <T> Future<T> orCelery(Future<T> switchboard, Supplier<Future<T>> fromCelery) {
    return celery == null ? switchboard : switchboard.recover(err ->
        err instanceof TaskException e && e.reason() == TaskException.Reason.NO_SUCH_TASK ? fromCelery.get()
            .recover(unknownThere -> Future.failedFuture(err)) : Future.failedFuture(err));
  }

  private void retry(RoutingContext rc) {
    client.retry(rc.pathParam("id"))
        .onSuccess(handle -> rc.response().setStatusCode(202)
            .putHeader(HttpHeaders.LOCATION, "/api/tasks/" + handle.id())
            .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
            .end(new JsonObject().put("id", handle.id()).put("retryOf", rc.pathParam("id")).encode()))
        .onFailure(err -> rc.fail(ApiErrors.status(err), err));
  }

  private void list(RoutingContext rc) {
    TaskState state;
    int limit;
    try {
      String stateParam = rc.queryParams().get("state");
      state = stateParam == null || stateParam.isEmpty() ? null : TaskState.valueOf(stateParam.toUpperCase(Locale.ROOT));
      String limitParam = rc.queryParams().get("limit");
      limit = limitParam == null ? DEFAULT_LIST_LIMIT : Integer.parseInt(limitParam);
    } catch (IllegalArgumentException e) {
      rc.fail(400, new IllegalArgumentException("expected ?state=one of " + Arrays.toString(TaskState.values())
          + " and ?limit=1 to " + TaskKeys.HISTORY_LENGTH + ": " + e.getMessage()));
      return;
    }
    client.inspector().list(state, limit)
        .onSuccess(tasks -> json(rc, 200, new JsonObject()
            .put("tasks", new JsonArray(tasks.stream().map(TaskInfo::toJson).toList()))))
        .onFailure(err -> rc.fail(ApiErrors.status(err), err));
  }

  private static void json(RoutingContext rc, int status, JsonObject body) {
    rc.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.encode());
  }
}

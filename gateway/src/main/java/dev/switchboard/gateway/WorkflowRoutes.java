package dev.switchboard.gateway;

import dev.switchboard.api.tasks.TaskException;
import dev.switchboard.api.workflows.Workflow;
import dev.switchboard.api.workflows.WorkflowInfo;
import dev.switchboard.shared.config.SwitchboardConfig;
import dev.switchboard.shared.tasks.RedisTaskClient;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * The workflow API: {@code POST /api/workflows} with {@code {"chain": [...]}}, {@code {"group": [...]}} or
 * {@code {"chord": {"header": [...], "body": {...}}}} (members are signatures {@code {"task","args","kwargs",
 * "options"}} or workflows) → 202 {@code {"id"}} and {@code Location}; {@code GET /api/workflows/{id}} → its state,
 * result or error and its tasks; {@code DELETE /api/workflows/{id}} → revoke; {@code GET /api/workflows?limit=20} → the newest. A malformed, oversized or too
 * deep workflow, an unknown task or arguments that do not fit are 400 with a message naming the member.
 */
final class WorkflowRoutes {

  static final int DEFAULT_LIST_LIMIT = 20;
  /** Each listed workflow is one read of all its members: a page stays small. */
  static final int MAX_LIST_LIMIT = 100;
  private final RedisTaskClient client;

  private WorkflowRoutes(RedisTaskClient client) {
    this.client = client;
  }

  /** Mounts the workflow API; {@code client} is null when no Redis is configured (every call then answers 503). */
  static void mount(Router router, RedisTaskClient client, SwitchboardConfig config) {
    WorkflowRoutes routes = new WorkflowRoutes(client);
    router.route("/api/workflows*").handler(BodyHandler.create(false).setBodyLimit(config.http().maxBodySize()));
    router.route("/api/workflows*").handler(routes::requireBroker);
    router.post("/api/workflows").handler(routes::submit);
    router.get("/api/workflows").handler(routes::list);
    router.get("/api/workflows/:id").handler(routes::status);
    router.delete("/api/workflows/:id").handler(routes::revoke);
  }

  private void requireBroker(RoutingContext rc) {
    if (client == null) {
      rc.fail(503, new IllegalStateException("workflows are unavailable: no Redis configured (redis.url)"));
    } else {
      rc.next();
    }
  }

  private void submit(RoutingContext rc) {
    Workflow workflow;
    try {
      JsonObject body = rc.body().length() == 0 ? null : rc.body().asJsonObject();
      if (body == null) {
        throw new IllegalArgumentException("expected {\"chain\": [...]}, {\"group\": [...]} or {\"chord\": {...}}");
      }
      workflow = Workflow.fromJson(body);
    } catch (TaskException e) {
      rc.fail(400, e);
      return;
    } catch (RuntimeException e) {
      rc.fail(400, new IllegalArgumentException("malformed request body: " + e.getMessage(), e));
      return;
    }
    client.workflows().submit(workflow)
        .onSuccess(id -> rc.response().setStatusCode(202)
            .putHeader(HttpHeaders.LOCATION, "/api/workflows/" + id)
            .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
            .end(new JsonObject().put("id", id).encode()))
        .onFailure(err -> rc.fail(ApiErrors.status(err), err));
  }

  private void status(RoutingContext rc) {
    client.workflows().info(rc.pathParam("id"))
        .onSuccess(info -> json(rc, 200, info.toJson()))
        .onFailure(err -> rc.fail(ApiErrors.status(err), err));
  }

  private void revoke(RoutingContext rc) {
    String id = rc.pathParam("id");
    client.workflows().revoke(id)
        .onSuccess(state -> json(rc, 200, new JsonObject().put("id", id).put("state", state.name())))
        .onFailure(err -> rc.fail(ApiErrors.status(err), err));
  }

  private void list(RoutingContext rc) {
    int limit;
    try {
      String param = rc.queryParams().get("limit");
      limit = param == null ? DEFAULT_LIST_LIMIT : Integer.parseInt(param);
      if (limit < 1 || limit > MAX_LIST_LIMIT) {
        throw new NumberFormatException("out of range");
      }
    } catch (NumberFormatException e) {
      rc.fail(400, new IllegalArgumentException("expected ?limit=1 to " + MAX_LIST_LIMIT + ": " + e.getMessage()));
      return;
    }
    client.workflows().recent(limit)
        .onSuccess(all -> json(rc, 200, new JsonObject()
            .put("workflows", new JsonArray(all.stream().map(WorkflowInfo::toJson).toList()))))
        .onFailure(err -> rc.fail(ApiErrors.status(err), err));
  }

  private static void json(RoutingContext rc, int status, JsonObject body) {
    rc.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.encode());
  }
}

package dev.switchboard.gateway;

import dev.switchboard.api.tasks.TaskException;
import dev.switchboard.shared.config.SwitchboardConfig;
import dev.switchboard.shared.tasks.RedisTaskClient;
import dev.switchboard.shared.tasks.Schedule;
import dev.switchboard.shared.tasks.ScheduleStore;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * Periodic tasks at run time (Celery beat's schedule, BullMQ's job schedulers): {@code POST /api/schedules} with
 * {@code {"name", "task", "args", "kwargs", "options", "every": "10s" | "cron": "*\/5 * * * *", "tz"}} → 201 (200 when
 * it replaced a schedule of that name) with the schedule; {@code GET /api/schedules} → {@code {"schedules": [{...,
 * "next", "last": {"at", "id", "error"}}], "leader", "max"}}; {@code DELETE /api/schedules/{name}} → 200, or 404 when
 * there is none. Bad input is a 400 naming the field: unknown fields, wrong types, both or neither of every and cron,
 * a bad interval, cron expression, time zone or option, an unknown task (404) or arguments that do not fit it, one
 * schedule over {@code schedules.max}. The workers' leading scheduler sends the occurrences.
 */
final class ScheduleRoutes {

  private final RedisTaskClient client;
  private final ScheduleStore store;

  private ScheduleRoutes(RedisTaskClient client, int max) {
    this.client = client;
    this.store = client == null ? null : client.schedules(max);
  }

  /** Mounts the schedule API; {@code client} is null when no Redis is configured (every call then answers 503). */
  static void mount(Router router, RedisTaskClient client, SwitchboardConfig config) {
    ScheduleRoutes routes = new ScheduleRoutes(client, config.schedules().max());
    router.route("/api/schedules*").handler(BodyHandler.create(false).setBodyLimit(config.http().maxBodySize()));
    router.route("/api/schedules*").handler(routes::requireBroker);
    router.get("/api/schedules").handler(routes::list);
    router.post("/api/schedules").handler(routes::save);
    router.delete("/api/schedules/:name").handler(routes::remove);
  }

  private void requireBroker(RoutingContext rc) {
    if (client == null) {
      rc.fail(503, new IllegalStateException("schedules are unavailable: no Redis configured (redis.url)"));
    } else {
      rc.next();
    }
  }

  private void save(RoutingContext rc) {
    Schedule schedule;
    try {
      JsonObject body = rc.body().length() == 0 ? null : rc.body().asJsonObject();
      schedule = Schedule.fromJson(body);
    } catch (DecodeException | ClassCastException e) {
      rc.fail(400, new IllegalArgumentException("malformed request body: expected a JSON object: " + e.getMessage(), e));
      return;
    } catch (TaskException e) {
      rc.fail(400, e);
      return;
    }
    // the task must exist and take these arguments now, not fail at every occurrence later
    client.signature(schedule.task())
        .compose(signature -> {
          signature.bind(schedule.task(), schedule.args(), schedule.kwargs());
          return store.save(schedule);
        })
        .compose(created -> store.list().map(snapshot -> {
          JsonObject shown = snapshot.entries().stream().filter(entry -> entry.schedule().name().equals(schedule.name()))
              .findFirst().map(ScheduleStore.Entry::toJson).orElse(schedule.toJson());
          rc.response().setStatusCode(created ? 201 : 200)
              .putHeader(HttpHeaders.LOCATION, "/api/schedules/" + schedule.name())
              .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
              .end(shown.encode());
          return (Void) null;
        }))
        .onFailure(err -> rc.fail(ApiErrors.status(err), err));
  }

  private void list(RoutingContext rc) {
    store.list()
        .onSuccess(snapshot -> rc.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
            .end(snapshot.toJson().put("max", store.max()).encode()))
        .onFailure(err -> rc.fail(ApiErrors.status(err), err));
  }

  private void remove(RoutingContext rc) {
    String name = rc.pathParam("name");
    store.remove(name)
        .compose(removed -> removed ? Future.succeededFuture()
            : Future.failedFuture(new TaskException(TaskException.Reason.NO_SUCH_TASK, "no schedule named \"" + name + "\"")))
        .onSuccess(v -> rc.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
            .end(new JsonObject().put("name", name).put("removed", true).encode()))
        .onFailure(err -> rc.fail(ApiErrors.status(err), err));
  }
}

package dev.switchboard.gateway;

import dev.switchboard.shared.channels.EventBusChannelLayer;
import dev.switchboard.shared.tasks.RedisTaskClient;
import dev.switchboard.api.tasks.TaskInfo;
import dev.switchboard.shared.tasks.TaskInspector;
import dev.switchboard.api.tasks.TaskState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code GET /dashboard/events}: the dashboard's live feed, as server-sent events. Every {@link #INTERVAL_MS} while
 * anyone watches, one snapshot is built (the cluster's nodes and roles, open sockets, groups and their sizes, workers,
 * queues, the newest and the failed tasks) and sent to every viewer of this gateway instance; nobody watching, nothing is read. Bounded:
 * at most {@link #MAX_VIEWERS} viewers, and a viewer that lets {@link #VIEWER_QUEUE_BYTES} queue up is dropped (its
 * browser reconnects).
 */
final class DashboardFeed {

  static final long INTERVAL_MS = 1000;
  static final int MAX_VIEWERS = 32;
  static final int VIEWER_QUEUE_BYTES = 1024 * 1024;
  static final int RECENT_TASKS = 25;
  static final int FAILED_TASKS = 15;
  static final int GROUPS = 20;

  private final Vertx vertx;
  private final ClusterView cluster;
  private final RedisTaskClient tasks;
  private final EventBusChannelLayer layer;
  private final Set<HttpServerResponse> viewers = new LinkedHashSet<>();
  private long timer = -1;
  private boolean building;

  DashboardFeed(Vertx vertx, RedisTaskClient tasks) {
    this.vertx = vertx;
    this.cluster = new ClusterView(vertx);
    this.tasks = tasks;
    this.layer = new EventBusChannelLayer(vertx, ClusterView.TIMEOUT_MS);
  }

  void subscribe(RoutingContext rc) {
    if (viewers.size() >= MAX_VIEWERS) {
      rc.fail(503, new IllegalStateException("this gateway already feeds " + MAX_VIEWERS + " dashboards"));
      return;
    }
    HttpServerResponse response = rc.response();
    response.setChunked(true)
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
        .setWriteQueueMaxSize(VIEWER_QUEUE_BYTES);
    response.write("retry: 1000\n\n");
    viewers.add(response);
    response.closeHandler(v -> unsubscribe(response));
    if (timer < 0) {
      timer = vertx.setPeriodic(INTERVAL_MS, id -> push());
    }
    push();
  }

  /** Ends every feed (the gateway is stopping); browsers reconnect to another gateway. */
  void close() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    new ArrayList<>(viewers).forEach(HttpServerResponse::end);
    viewers.clear();
  }

  private void unsubscribe(HttpServerResponse response) {
    viewers.remove(response);
    if (viewers.isEmpty() && timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  private void push() {
    if (building || viewers.isEmpty()) {
      return;
    }
    building = true;
    snapshot().onComplete(result -> {
      building = false;
      String frame = "data: " + result.result().encode() + "\n\n";
      for (HttpServerResponse viewer : new ArrayList<>(viewers)) {
        if (viewer.writeQueueFull()) {
          unsubscribe(viewer);
          viewer.reset();
        } else {
          viewer.write(frame);
        }
      }
    });
  }

  /** One picture of the system; a part that cannot be read is left out and named in {@code errors}. */
  Future<JsonObject> snapshot() {
    JsonArray errors = new JsonArray();
    Future<JsonObject> nodes = cluster.status().otherwise(err -> {
      errors.add("cluster: " + err.getMessage());
      return new JsonObject().put("nodes", new JsonArray());
    });
    Future<JsonObject> groups = groups().otherwise(err -> {
      errors.add("groups: " + err.getMessage());
      return new JsonObject().put("groups", new JsonArray()).put("total", 0);
    });
    if (tasks == null) {
      errors.add("tasks: no Redis configured");
      return Future.all(nodes, groups).map(all -> new JsonObject().put("ts", System.currentTimeMillis())
          .put("cluster", nodes.result()).put("groups", groups.result()).put("errors", errors));
    }
    TaskInspector inspector = tasks.inspector();
    Future<JsonObject> queues = inspector.queues().map(TaskInspector.Queues::toJson).otherwise(err -> {
      errors.add("queues: " + err.getMessage());
      return null;
    });
    Future<JsonArray> recent = tasksJson(inspector.list(null, RECENT_TASKS), "recent tasks", errors);
    Future<JsonArray> failed = tasksJson(inspector.list(TaskState.FAILURE, FAILED_TASKS), "failed tasks", errors);
    return Future.all(List.of(nodes, groups, queues, recent, failed)).map(all -> new JsonObject()
        .put("ts", System.currentTimeMillis())
        .put("cluster", nodes.result())
        .put("groups", groups.result())
        .put("queues", queues.result())
        .put("recent", recent.result())
        .put("failed", failed.result())
        .put("errors", errors));
  }

  /**
   * {@code {"groups": [{group, size}], "total"}}: the first {@link #GROUPS} groups by name with their sizes, from this
   * node's copy of the cluster's groups, and how many groups there are.
   */
  private Future<JsonObject> groups() {
    return layer.groups().compose(names -> {
      List<String> shown = names.stream().sorted().limit(GROUPS).toList();
      List<Future<JsonObject>> sizes = shown.stream().map(group -> layer.members(group)
          .map(members -> new JsonObject().put("group", group).put("size", members.size()))).toList();
      return Future.all(sizes).map(all -> new JsonObject()
          .put("groups", new JsonArray(sizes.stream().map(Future::result).toList())).put("total", names.size()));
    });
  }

  private static Future<JsonArray> tasksJson(Future<List<TaskInfo>> list, String what, JsonArray errors) {
    return list.map(infos -> new JsonArray(infos.stream().map(TaskInfo::toJson).toList())).otherwise(err -> {
      errors.add(what + ": " + err.getMessage());
      return new JsonArray();
    });
  }
}

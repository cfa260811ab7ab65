package dev.switchboard.shared.tasks;

import dev.switchboard.api.tasks.TaskException;
import dev.switchboard.shared.metrics.MetricNames;
import dev.switchboard.shared.metrics.SwitchboardMetrics;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The periodic tasks in Redis ({@link TaskKeys#schedules()}, {@link TaskKeys#scheduleRuns()}): add or replace, remove,
 * list with each one's last and next occurrence and the scheduler that leads. At most {@code max} schedules: one more
 * is refused (INVALID_REQUEST) and counted ({@code switchboard_tasks_bound_hits_total{bound="schedules"}}).
 */
public final class ScheduleStore {

  private static final LuaScript SAVE = LuaScript.load(ScheduleStore.class, "schedule_save.lua");
  private static final LuaScript REMOVE = LuaScript.load(ScheduleStore.class, "schedule_remove.lua");

  /** A schedule and its run record ({@code {"at"}}: created at; {@code {"at", "id", "sent"}} or {@code {"at", "error"}}). */
  public record Entry(Schedule schedule, JsonObject run) {

    /** The last occurrence handled, or null before the first. */
    public JsonObject last() {
      return run.containsKey("id") || run.containsKey("error") ? run : null;
    }

    /** The next occurrence to send: the first after the last handled (in the past while the scheduler catches up). */
    public Instant next() {
      return schedule.timing().nextAfter(Instant.ofEpochMilli(run.getLong("at", 0L)));
    }

    public JsonObject toJson() {
      JsonObject last = last();
      Instant next = next();
      return schedule.toJson()
          .put("next", next == null ? null : next.toString())
          .put("last", last == null ? null : new JsonObject().put("at", Instant.ofEpochMilli(last.getLong("at")).toString())
              .put("id", last.getString("id")).put("error", last.getString("error")));
    }
  }

  /** Every schedule, by name, and the scheduler lease's holder ({@code "<token> <worker>"}, null when none leads). */
  public record Snapshot(List<Entry> entries, String leader) {

    public JsonObject toJson() {
      return new JsonObject()
          .put("schedules", new JsonArray(entries.stream().map(Entry::toJson).toList()))
          .put("leader", leader == null ? null : leader.substring(leader.indexOf(' ') + 1));
    }
  }

  private final Vertx vertx;
  private final Redis redis;
  private final TaskKeys keys;
  private final int max;
  /** Definitions already parsed, by their stored JSON: the leader reads every schedule each tick. Bounded (2 × max). */
  private final Map<String, Schedule> parsed = new java.util.concurrent.ConcurrentHashMap<>();

  public ScheduleStore(Vertx vertx, Redis redis, TaskKeys keys, int max) {
    this.vertx = vertx;
    this.redis = redis;
    this.keys = keys;
    this.max = max;
  }

  /** Adds {@code schedule} (true) or replaces the one of that name (false), keeping its run record. */
  public Future<Boolean> save(Schedule schedule) {
    JsonObject created = new JsonObject().put("at", System.currentTimeMillis());
    return SAVE.run(redis, List.of(keys.schedules(), keys.scheduleRuns()),
        List.of(schedule.name(), schedule.toJson().encode(), max, created.encode())).map(reply -> {
          JsonObject answer = new JsonObject(reply.toString());
          if (answer.getBoolean("full", false)) {
            Counter.builder(MetricNames.TASK_BOUND_HITS).tag(MetricNames.BOUND, "schedules")
                .register(SwitchboardMetrics.registry(vertx)).increment();
            throw new TaskException(TaskException.Reason.INVALID_REQUEST, "too many schedules: " + max
                + " exist already (schedules.max); remove one first or replace one by its name");
          }
          return answer.getBoolean("created");
        });
  }

  /** True when a schedule of that name existed. */
  public Future<Boolean> remove(String name) {
    return REMOVE.run(redis, List.of(keys.schedules(), keys.scheduleRuns()), List.of(name))
        .map(reply -> reply.toInteger() == 1);
  }

  /** Every schedule sorted by name; one stored unreadable (written by a newer version?) is left out. */
  public Future<Snapshot> list() {
    Future<Response> definitions = redis.send(Request.cmd(Command.HGETALL).arg(keys.schedules()));
    Future<Response> runs = redis.send(Request.cmd(Command.HGETALL).arg(keys.scheduleRuns()));
    Future<Response> lease = redis.send(Request.cmd(Command.GET).arg(keys.schedulerLease()));
    return Future.all(definitions, runs, lease).map(all -> {
      Map<String, String> stored = RedisTaskClient.toMap(definitions.result());
      Map<String, String> records = RedisTaskClient.toMap(runs.result());
      List<Entry> entries = new ArrayList<>();
      stored.forEach((name, json) -> {
        try {
          String run = records.get(name);
          if (parsed.size() > 2 * max) {
            parsed.clear();
          }
          Schedule schedule = parsed.computeIfAbsent(json, text -> Schedule.fromJson(new JsonObject(text)));
          entries.add(new Entry(schedule,
              run == null ? new JsonObject().put("at", System.currentTimeMillis()) : new JsonObject(run)));
        } catch (RuntimeException e) {
          // not ours to fix here; the scheduler skips it the same way
        }
      });
      entries.sort(Comparator.comparing(entry -> entry.schedule().name()));
      return new Snapshot(entries, lease.result() == null ? null : lease.result().toString());
    });
  }

  public int max() {
    return max;
  }
}

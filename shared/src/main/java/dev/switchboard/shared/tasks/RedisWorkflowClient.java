package dev.switchboard.shared.tasks;

import dev.switchboard.api.tasks.TaskException;
import dev.switchboard.api.tasks.TaskSignature;
import dev.switchboard.api.tasks.TaskState;
import dev.switchboard.api.workflows.Signature;
import dev.switchboard.api.workflows.Workflow;
import dev.switchboard.api.workflows.WorkflowClient;
import dev.switchboard.api.workflows.WorkflowInfo;
import dev.switchboard.shared.config.TaskSettings;
import dev.switchboard.shared.metrics.MetricNames;
import dev.switchboard.shared.metrics.SwitchboardMetrics;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * The Redis {@link WorkflowClient}, from {@link RedisTaskClient#workflows()}. Submitting stores the whole workflow in
 * one hash and queues its first step(s) in one script ({@code workflow_submit.lua}); from then on the workers move
 * it on, each in the script that records a member's final state ({@code workflow_steps.lua}): there is no
 * coordinator and no polling unlock task. See {@link WorkflowKeys} for the keys and their bounds.
 */
public final class RedisWorkflowClient implements WorkflowClient {

  private static final LuaScript SUBMIT = LuaScript.load(RedisWorkflowClient.class, "workflow_submit.lua",
      LuaScript.NEW_TASK, LuaScript.WORKFLOW_STEPS);
  private static final LuaScript READ = LuaScript.load(RedisWorkflowClient.class, "workflow_read.lua");
  private static final LuaScript REVOKE = LuaScript.load(RedisWorkflowClient.class, "workflow_revoke.lua",
      LuaScript.NEW_TASK, LuaScript.WORKFLOW_STEPS, "revoke_task.lua");

  private final Vertx vertx;
  private final Redis redis;
  private final TaskKeys keys;
  private final WorkflowKeys workflowKeys;
  private final TaskSettings settings;
  private final Function<String, Future<Void>> queueCheck;
  private final Function<String, Future<TaskSignature>> signatures;

  RedisWorkflowClient(Vertx vertx, Redis redis, TaskKeys keys, TaskSettings settings,
      Function<String, Future<Void>> queueCheck, Function<String, Future<TaskSignature>> signatures) {
    this.vertx = vertx;
    this.redis = redis;
    this.keys = keys;
    this.workflowKeys = new WorkflowKeys(keys);
    this.settings = settings;
    this.queueCheck = queueCheck;
    this.signatures = signatures;
  }

  @Override
  public Future<String> submit(Workflow workflow) {
    try {
      checkBounds(workflow);
    } catch (TaskException e) {
      Counter.builder(MetricNames.TASK_BOUND_HITS).tag(MetricNames.BOUND, "workflow")
          .register(SwitchboardMetrics.registry(vertx)).increment();
      return Future.failedFuture(e);
    }
    Set<String> names = new LinkedHashSet<>();
    Set<String> queues = new LinkedHashSet<>();
    collect(workflow, names, queues);
    Map<String, TaskSignature> found = new HashMap<>();
    List<Future<?>> checks = new ArrayList<>();
    names.forEach(name -> checks.add(signatures.apply(name).map(signature -> found.put(name, signature))
        .recover(err -> Future.failedFuture(err instanceof TaskException e && e.reason() == TaskException.Reason.UNKNOWN_TASK
            ? new TaskException(TaskException.Reason.INVALID_REQUEST, "workflow: " + e.getMessage()) : err))));
    queues.forEach(queue -> checks.add(queueCheck.apply(queue)));
    return Future.all(checks).compose(v -> {
      String id = UUID.randomUUID().toString();
      long now = System.currentTimeMillis();
      WorkflowPlan plan = WorkflowPlan.of(id, workflow, found, keys, now);
      List<String> scriptKeys = new ArrayList<>();
      scriptKeys.add(workflowKeys.workflow(id));
      scriptKeys.add(workflowKeys.recent());
      scriptKeys.addAll(plan.streams());
      return SUBMIT.run(redis, scriptKeys, List.of(id, now, plan.nodes().encode(), keys.prefix(),
              WorkflowKeys.LIVE_TTL_MS, TaskKeys.HISTORY_LENGTH, settings.maxQueueLength()))
          .map(reply -> {
            JsonObject answer = new JsonObject(reply.toString());
            if (answer.containsKey("full")) {
              throw new TaskException(TaskException.Reason.QUEUE_FULL, "workflow not queued: stream "
                  + answer.getString("full") + " is full (" + settings.maxQueueLength() + " tasks)");
            }
            return id;
          });
    });
  }

  @Override
  public Future<TaskState> revoke(String id) {
    long now = System.currentTimeMillis();
    return REVOKE.run(redis, List.of(workflowKeys.workflow(id), keys.delayed()),
        List.of(keys.taskPrefix(), now, settings.resultTtlMs())).map(reply -> {
          JsonObject answer = new JsonObject(reply.toString());
          if (answer.getBoolean("missing", false)) {
            throw new TaskException(TaskException.Reason.NO_SUCH_TASK, "no workflow with id " + id + " to revoke");
          }
          // watchers of each member (/ws/tasks/{id}) learn it, as for a task revoked alone
          for (Object item : answer.getValue("events") instanceof JsonArray events ? events : new JsonArray()) {
            JsonObject event = (JsonObject) item;
            TaskEvents.publish(vertx, TaskEvents.event(event.getString("id"), event.getString("name"), TaskState.REVOKED,
                event.getLong("seq"), now));
          }
          return TaskState.valueOf(answer.getString("state"));
        });
  }

  @Override
  public Future<WorkflowInfo> info(String id) {
    return READ.run(redis, List.of(workflowKeys.workflow(id)), List.of(keys.taskPrefix())).map(reply -> {
      JsonObject answer = new JsonObject(reply.toString());
      if (answer.getBoolean("missing", false)) {
        throw new TaskException(TaskException.Reason.NO_SUCH_TASK, "no workflow with id " + id + " (unknown or expired)");
      }
      List<WorkflowInfo.Member> members = new ArrayList<>();
      for (Object item : answer.getJsonArray("tasks", new JsonArray())) {
        JsonObject task = (JsonObject) item;
        Object state = task.getValue("state");
        members.add(new WorkflowInfo.Member(task.getString("id"), task.getString("task"),
            state instanceof String name ? TaskState.valueOf(name) : null));
      }
      TaskState state = TaskState.valueOf(answer.getString("state"));
      if (state == TaskState.PENDING && members.stream().anyMatch(m -> m.state() != null && m.state() != TaskState.PENDING)) {
        state = TaskState.STARTED;
      }
      Object error = decode(answer.getValue("error"));
      return new WorkflowInfo(id, state, decode(answer.getValue("result")),
          error instanceof JsonObject json ? json : null, number(answer.getValue("created")),
          number(answer.getValue("finished")), members);
    });
  }

  /** The newest workflows (at most {@code limit}, newest first), for dashboards and tools; expired ones skipped. */
  public Future<List<WorkflowInfo>> recent(int limit) {
    return redis.send(Request.cmd(Command.LRANGE).arg(workflowKeys.recent()).arg(0).arg(Math.max(0, limit - 1)))
        .compose(ids -> {
          List<Future<WorkflowInfo>> reads = new ArrayList<>();
          ids.forEach(id -> reads.add(info(id.toString()).otherwiseEmpty()));
          return Future.all(reads).map(all -> reads.stream().map(Future::result).filter(Objects::nonNull).toList());
        });
  }

  /** Re-reads every {@code tasks.pollIntervalMs} until final: a workflow has no client of its own to notify. */
  @Override
  public Future<WorkflowInfo> awaitFinal(String id, Duration timeout) {
    long deadline = System.currentTimeMillis() + timeout.toMillis();
    return poll(id, deadline);
  }

  private Future<WorkflowInfo> poll(String id, long deadline) {
    return info(id).compose(info -> {
      if (info.ready()) {
        return Future.succeededFuture(info);
      }
      if (System.currentTimeMillis() >= deadline) {
        return Future.failedFuture(new TimeoutException("workflow " + id + " is still " + info.state()));
      }
      return vertx.timer(Math.max(10, settings.pollIntervalMs())).compose(v -> poll(id, deadline));
    });
  }

  private static void checkBounds(Workflow workflow) {
    int size = Workflow.size(workflow);
    if (size > Workflow.MAX_TASKS) {
      throw new TaskException(TaskException.Reason.INVALID_REQUEST,
          "workflow: " + size + " task calls, at most " + Workflow.MAX_TASKS + " allowed");
    }
    if (depth(workflow) > Workflow.MAX_DEPTH) {
      throw new TaskException(TaskException.Reason.INVALID_REQUEST,
          "workflow: nested deeper than " + Workflow.MAX_DEPTH + " levels");
    }
    if (!nonEmpty(workflow)) {
      throw new TaskException(TaskException.Reason.INVALID_REQUEST, "workflow: a chain, group or chord header is empty");
    }
  }

  private static int depth(Workflow workflow) {
    return 1 + children(workflow).stream().mapToInt(RedisWorkflowClient::depth).max().orElse(0);
  }

  private static boolean nonEmpty(Workflow workflow) {
    List<Workflow> children = children(workflow);
    return (workflow instanceof Signature || !children.isEmpty())
        && (!(workflow instanceof Workflow.Chord chord) || !chord.header().isEmpty())
        && children.stream().allMatch(RedisWorkflowClient::nonEmpty);
  }

  private static List<Workflow> children(Workflow workflow) {
    if (workflow instanceof Workflow.Chain chain) {
      return chain.steps();
    }
    if (workflow instanceof Workflow.Group group) {
      return group.members();
    }
    if (workflow instanceof Workflow.Chord chord) {
      List<Workflow> all = new ArrayList<>(chord.header());
      all.add(chord.body());
      return all;
    }
    return List.of();
  }

  private static void collect(Workflow workflow, Set<String> names, Set<String> queues) {
    if (workflow instanceof Signature call) {
      names.add(call.task());
      queues.add(call.options().queue());
    }
    children(workflow).forEach(child -> collect(child, names, queues));
  }

  private static Object decode(Object raw) {
    if (!(raw instanceof String text) || text.isEmpty()) {
      return null;
    }
    try {
      return Json.decodeValue(text);
    } catch (DecodeException e) {
      return text;
    }
  }

  private static long number(Object raw) {
    return raw instanceof String text && !text.isEmpty() ? Long.parseLong(text) : 0;
  }
}

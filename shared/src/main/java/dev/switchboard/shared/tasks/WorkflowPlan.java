package dev.switchboard.shared.tasks;

import dev.switchboard.api.tasks.TaskException;
import dev.switchboard.api.tasks.TaskSignature;
import dev.switchboard.api.workflows.Signature;
import dev.switchboard.api.workflows.Workflow;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * A workflow flattened into the nodes {@code workflow_submit.lua} stores (numbered 1..n, preorder, 1 the root; see
 * {@code workflow_steps.lua}), each member bound to its task's signature now, so that a bad call is refused before
 * anything runs. A member that receives the previous step's result is bound without its first parameter: the
 * result goes there when the step starts. A chord is stored as the chain {@code [group(header), body]}.
 */
final class WorkflowPlan {

  private final String id;
  private final Map<String, TaskSignature> signatures;
  private final TaskKeys keys;
  private final long now;
  private final JsonArray nodes = new JsonArray();
  private final Set<String> streams = new LinkedHashSet<>();

  private WorkflowPlan(String id, Map<String, TaskSignature> signatures, TaskKeys keys, long now) {
    this.id = id;
    this.signatures = signatures;
    this.keys = keys;
    this.now = now;
  }

  /** Fails with INVALID_REQUEST naming the member (its path, such as {@code workflow.chain[1]}) and the problem. */
  static WorkflowPlan of(String id, Workflow workflow, Map<String, TaskSignature> signatures, TaskKeys keys, long now) {
    WorkflowPlan plan = new WorkflowPlan(id, signatures, keys, now);
    plan.add(workflow, 0, 0, false, "workflow");
    return plan;
  }

  /** The task id of member node {@code number}. */
  static String memberId(String workflowId, int number) {
    return workflowId + "." + number;
  }

  JsonArray nodes() {
    return nodes;
  }

  /** The streams its tasks go to (checked for room at submission). */
  Set<String> streams() {
    return streams;
  }

  private int add(Workflow workflow, int parent, int position, boolean input, String path) {
    JsonObject node = new JsonObject();
    nodes.add(node);
    int number = nodes.size();
    if (parent > 0) {
      node.put("p", parent).put("x", position);
    }
    if (workflow instanceof Signature call) {
      task(node, number, call, input, path);
    } else if (workflow instanceof Workflow.Chain chain) {
      JsonArray children = new JsonArray();
      for (int i = 0; i < chain.steps().size(); i++) {
        children.add(add(chain.steps().get(i), number, i + 1, i == 0 ? input : true, path + ".chain[" + i + "]"));
      }
      node.put("k", "c").put("c", children);
    } else if (workflow instanceof Workflow.Group group) {
      node.put("k", "g").put("c", members(group, number, input, path + ".group"));
    } else if (workflow instanceof Workflow.Chord chord) {
      JsonObject header = new JsonObject().put("k", "g").put("p", number).put("x", 1);
      nodes.add(header);
      int headerNumber = nodes.size();
      header.put("c", members(new Workflow.Group(chord.header()), headerNumber, input, path + ".chord.header"));
      int body = add(chord.body(), number, 2, true, path + ".chord.body");
      node.put("k", "c").put("c", new JsonArray().add(headerNumber).add(body));
    }
    return number;
  }

  private JsonArray members(Workflow.Group group, int number, boolean input, String path) {
    JsonArray children = new JsonArray();
    for (int i = 0; i < group.members().size(); i++) {
      children.add(add(group.members().get(i), number, i + 1, input, path + "[" + i + "]"));
    }
    return children;
  }

  private void task(JsonObject node, int number, Signature call, boolean input, String path) {
    TaskSignature signature = signatures.get(call.task());
    boolean takes = input && !call.immutable();
    if (call.options().taskId() != null) {
      throw invalid(path, "task_id is not allowed in a workflow member: members get their ids from the workflow");
    }
    JsonArray bound;
    try {
      if (takes) {
        if (signature.params().isEmpty()) {
          throw invalid(path, call.task() + "() takes no argument, so it cannot receive the previous step's result; "
              + "mark it \"immutable\": true");
        }
        String first = signature.params().get(0).name();
        if (call.kwargs().containsKey(first)) {
          throw invalid(path, call.task() + "() gets \"" + first + "\" from the previous step's result; do not pass it");
        }
        TaskSignature rest = new TaskSignature(signature.params().subList(1, signature.params().size()));
        bound = rest.bind(call.task(), call.args(), call.kwargs());
      } else {
        bound = signature.bind(call.task(), call.args(), call.kwargs());
      }
    } catch (TaskException e) {
      if (e.getMessage().startsWith(path)) {
        throw e;
      }
      throw invalid(path, e.getMessage() + (takes ? " (besides the previous step's result, which comes first)" : ""));
    }
    JsonObject stored = call.options().toStored(now);
    node.put("k", "t").put("id", memberId(id, number)).put("name", call.task()).put("args", bound.encode())
        .put("kw", call.kwargs().encode()).put("opt", stored.encode()).put("q", call.options().queue())
        .put("pr", String.valueOf(call.options().priority())).put("eta", String.valueOf(stored.getLong("eta", 0L)))
        .put("in", takes ? "1" : "0").put("rel", relative(call));
    streams.add(keys.stream(call.options().queue(), call.options().priority()));
  }

  /**
   * A countdown or a relative expiry counts from when the step is queued, not from the submission (the step may
   * start hours later): {@code {"countdown": ms, "expires": ms}}, or "" when there is neither.
   */
  private static String relative(Signature call) {
    JsonObject relative = new JsonObject();
    if (call.options().eta() == null && call.options().countdown() != null) {
      relative.put("countdown", call.options().countdown().toMillis());
    }
    if (call.options().expiresAt() == null && call.options().expiresIn() != null) {
      relative.put("expires", call.options().expiresIn().toMillis());
    }
    return relative.isEmpty() ? "" : relative.encode();
  }

  private static TaskException invalid(String path, String message) {
    return new TaskException(TaskException.Reason.INVALID_REQUEST, path + ": " + message);
  }
}

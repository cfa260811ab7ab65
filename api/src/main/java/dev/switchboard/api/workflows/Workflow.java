package dev.switchboard.api.workflows;

import dev.switchboard.api.tasks.TaskException;
import dev.switchboard.api.tasks.TaskOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Tasks composed, Celery's canvas: a {@link Signature} (one call), a {@link Chain} (each result passed to the next
 * step as its first argument), a {@link Group} (run together, result the list of results in order) or a
 * {@link Chord} (a group, then a body called with the group's list). They nest: a chain may hold a group, a chord's
 * header may hold chains.
 *
 * <pre>{@code
 * Workflow.chain(Signature.of("add", 2, 3), Signature.of("add", 10));                     // 15
 * Workflow.chord(List.of(Signature.of("add", 1, 1), Signature.of("add", 2, 2)), Signature.of("xsum"));  // 6
 * }</pre>
 *
 * <p>A workflow holds at most {@link #MAX_TASKS} task calls and nests at most {@link #MAX_DEPTH} levels deep.
 */
public sealed interface Workflow permits Signature, Workflow.Chain, Workflow.Group, Workflow.Chord {

  /** The most task calls one workflow holds. */
  int MAX_TASKS = 1000;
  /** The deepest nesting of chains, groups and chords (a lone signature is depth 1). */
  int MAX_DEPTH = 10;

  /** Steps run one after the other; each step's result is the next one's first argument. Never empty. */
  record Chain(List<Workflow> steps) implements Workflow {
    public Chain {
      steps = List.copyOf(steps);
    }
  }

  /** Members run side by side; the result is the list of their results, in the members' order. */
  record Group(List<Workflow> members) implements Workflow {
    public Group {
      members = List.copyOf(members);
    }
  }

  /** The header group, then the body called with the header's list of results; never run if a member fails. */
  record Chord(List<Workflow> header, Workflow body) implements Workflow {
    public Chord {
      header = List.copyOf(header);
    }
  }

  static Chain chain(Workflow... steps) {
    return new Chain(List.of(steps));
  }

  static Group group(Workflow... members) {
    return new Group(List.of(members));
  }

  static Group group(List<? extends Workflow> members) {
    return new Group(List.copyOf(members));
  }

  static Chord chord(List<? extends Workflow> header, Workflow body) {
    return new Chord(List.copyOf(header), body);
  }

  /**
   * Reads the HTTP shape: {@code {"chain": [w, ...]}}, {@code {"group": [w, ...]}},
   * {@code {"chord": {"header": [w, ...], "body": w}}} or a signature {@code {"task", "args", "kwargs", "options",
   * "immutable"}}, where each {@code w} is any of these. Fails with INVALID_REQUEST saying where (a path such as
   * {@code chord.header[3]}) and what was expected, also past {@link #MAX_TASKS} or {@link #MAX_DEPTH}.
   */
  static Workflow fromJson(JsonObject json) {
    Workflow workflow = WorkflowJson.read(json, "workflow", 1);
    int tasks = size(workflow);
    if (tasks > MAX_TASKS) {
      throw new TaskException(TaskException.Reason.INVALID_REQUEST,
          "workflow: " + tasks + " task calls, at most " + MAX_TASKS + " allowed");
    }
    return workflow;
  }

  /** How many task calls the workflow holds. */
  static int size(Workflow workflow) {
    if (workflow instanceof Chain chain) {
      return chain.steps().stream().mapToInt(Workflow::size).sum();
    }
    if (workflow instanceof Group group) {
      return group.members().stream().mapToInt(Workflow::size).sum();
    }
    if (workflow instanceof Chord chord) {
      return chord.header().stream().mapToInt(Workflow::size).sum() + size(chord.body());
    }
    return 1;
  }
}

/** The JSON reader behind {@link Workflow#fromJson}; every error names its path. */
final class WorkflowJson {

  private static final Set<String> SIGNATURE_KEYS = Set.of("task", "args", "kwargs", "options", "immutable");

  private WorkflowJson() {
  }

  static Workflow read(Object value, String path, int depth) {
    if (depth > Workflow.MAX_DEPTH) {
      throw invalid(path, "nested deeper than " + Workflow.MAX_DEPTH + " levels");
    }
    if (!(value instanceof JsonObject json)) {
      throw invalid(path, "expected an object, got " + describe(value));
    }
    if (json.containsKey("task")) {
      return signature(json, path);
    }
    if (json.size() != 1) {
      throw invalid(path, "expected exactly one of \"chain\", \"group\", \"chord\" or a signature with \"task\", got "
          + json.fieldNames());
    }
    String kind = json.fieldNames().iterator().next();
    return switch (kind) {
      case "chain" -> new Workflow.Chain(list(json.getValue(kind), path + ".chain", depth));
      case "group" -> new Workflow.Group(list(json.getValue(kind), path + ".group", depth));
      case "chord" -> chord(json.getValue(kind), path + ".chord", depth);
      default -> throw invalid(path, "unknown key \"" + kind + "\", expected \"chain\", \"group\", \"chord\" or \"task\"");
    };
  }

  private static Workflow.Chord chord(Object value, String path, int depth) {
    if (!(value instanceof JsonObject json) || !json.containsKey("header") || !json.containsKey("body") || json.size() != 2) {
      throw invalid(path, "expected {\"header\": [...], \"body\": {...}}, got " + describe(value));
    }
    return new Workflow.Chord(list(json.getValue("header"), path + ".header", depth),
        read(json.getValue("body"), path + ".body", depth + 1));
  }

  private static List<Workflow> list(Object value, String path, int depth) {
    if (!(value instanceof JsonArray array) || array.isEmpty()) {
      throw invalid(path, "expected a non-empty array, got " + describe(value));
    }
    if (array.size() > Workflow.MAX_TASKS) {
      throw invalid(path, array.size() + " entries, at most " + Workflow.MAX_TASKS + " allowed");
    }
    List<Workflow> items = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      items.add(read(array.getValue(i), path + "[" + i + "]", depth + 1));
    }
    return items;
  }

  private static Signature signature(JsonObject json, String path) {
    for (String key : json.fieldNames()) {
      if (!SIGNATURE_KEYS.contains(key)) {
        throw invalid(path, "unknown field \"" + key + "\", expected " + SIGNATURE_KEYS);
      }
    }
    if (!(json.getValue("task") instanceof String task) || task.isEmpty()
        || json.containsKey("args") && !(json.getValue("args") instanceof JsonArray)
        || json.containsKey("kwargs") && !(json.getValue("kwargs") instanceof JsonObject)
        || json.containsKey("options") && !(json.getValue("options") instanceof JsonObject)
        || json.containsKey("immutable") && !(json.getValue("immutable") instanceof Boolean)) {
      throw invalid(path, "expected {\"task\": name, \"args\": [...], \"kwargs\": {...}, \"options\": {...}, "
          + "\"immutable\": boolean}");
    }
    TaskOptions options;
    try {
      options = TaskOptions.fromJson(json.getJsonObject("options"));
    } catch (TaskException e) {
      throw invalid(path, e.getMessage());
    }
    return new Signature(task, json.getJsonArray("args"), json.getJsonObject("kwargs"), options,
        json.getBoolean("immutable", false));
  }

  private static TaskException invalid(String path, String message) {
    return new TaskException(TaskException.Reason.INVALID_REQUEST, path + ": " + message);
  }

  private static String describe(Object value) {
    if (value == null) {
      return "null";
    }
    String text = value.toString();
    return text.length() > 60 ? text.substring(0, 60) + "..." : text;
  }
}

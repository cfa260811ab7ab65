package dev.switchboard.deploy.cli;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code switchboard tasks submit | inspect | list}, against a running gateway's task API. */
@Command(name = "tasks", mixinStandardHelpOptions = true, description = "Submit, inspect and list tasks on a running gateway.",
    subcommands = {TasksCommand.Submit.class, TasksCommand.Inspect.class, TasksCommand.ListTasks.class})
public final class TasksCommand {

  @Command(name = "submit", mixinStandardHelpOptions = true,
      description = "Queues NAME(*args, **kwargs); prints its id, or with --wait follows it to the end and prints the result.")
  static final class Submit implements Callable<Integer> {

    @Mixin
    GatewayOptions gateway;

    @Parameters(index = "0", paramLabel = "NAME", description = "the task's name, e.g. add or long_running")
    String name;

    @Option(names = "--args", paramLabel = "JSON", defaultValue = "[]", description = "positional arguments, a JSON array")
    String args;

    @Option(names = "--kwargs", paramLabel = "JSON", defaultValue = "{}", description = "keyword arguments, a JSON object")
    String kwargs;

    @Option(names = "--options", paramLabel = "JSON", defaultValue = "{}",
        description = "task options, e.g. {\"countdown\": 5, \"queue\": \"default\"}")
    String options;

    @Option(names = "--wait", description = "show a progress bar until the task ends, then print its result")
    boolean await;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "0", description = "give up waiting after this long (0: never)")
    long timeoutSeconds;

    @Override
    public Integer call() {
      JsonObject body = new JsonObject()
          .put("args", parse("--args", args, JsonArray.class))
          .put("kwargs", parse("--kwargs", kwargs, JsonObject.class))
          .put("options", parse("--options", options, JsonObject.class));
      GatewayClient client = gateway.client();
      String id = client.post("/api/tasks/" + encode(name), body).getString("id");
      if (!await) {
        System.out.println(id);
        return 0;
      }
      System.err.println("task " + id);
      JsonObject last = new TaskWatch(client, id, System.err).await(timeoutSeconds);
      return finish(id, last);
    }

    private static int finish(String id, JsonObject task) {
      String state = task.getString("state");
      if ("SUCCESS".equals(state)) {
        System.out.println(Json.encode(task.getValue("result")));
        return 0;
      }
      JsonObject error = task.getJsonObject("error");
      String why = error == null ? "" : ": " + error.getString("type") + ": " + error.getString("message");
      throw new CliException(CliException.FAILED, "task " + id + " ended " + state + why);
    }
  }

  @Command(name = "inspect", mixinStandardHelpOptions = true, description = "Shows one task: state, arguments, result or error, progress, times.")
  static final class Inspect implements Callable<Integer> {

    @Mixin
    GatewayOptions gateway;

    @Parameters(index = "0", paramLabel = "ID", description = "the task's id")
    String id;

    @Option(names = "--json", description = "print the task as JSON")
    boolean json;

    @Override
    public Integer call() {
      JsonObject task = gateway.client().get("/api/tasks/" + encode(id));
      if (json) {
        System.out.println(task.encodePrettily());
        return 0;
      }
      row("id", task.getString("id"));
      row("name", task.getString("name"));
      row("state", task.getString("state"));
      row("args", Json.encode(task.getValue("args")));
      row("kwargs", Json.encode(task.getValue("kwargs")));
      if (task.getValue("progress") != null) {
        row("progress", Json.encode(task.getValue("progress")));
      }
      if (task.getValue("result") != null) {
        row("result", Json.encode(task.getValue("result")));
      }
      JsonObject error = task.getJsonObject("error");
      if (error != null) {
        row("error", error.getString("type") + ": " + error.getString("message"));
      }
      row("retries", String.valueOf(task.getInteger("retries", 0)));
      row("worker", task.getString("worker", "-"));
      task.getJsonObject("timestamps", new JsonObject()).forEach(entry -> row(entry.getKey().toLowerCase(Locale.ROOT),
          String.valueOf(entry.getValue())));
      return 0;
    }

    private static void row(String key, String value) {
      System.out.printf("%-9s %s%n", key, value);
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "Lists the newest tasks (newest first), optionally only those in one state.")
  static final class ListTasks implements Callable<Integer> {

    @Mixin
    GatewayOptions gateway;

    @Option(names = "--state", paramLabel = "STATE", description = "PENDING, STARTED, PROGRESS, RETRY, SUCCESS, FAILURE or REVOKED")
    String state;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "20", description = "at most this many (default: ${DEFAULT-VALUE})")
    int limit;

    @Override
    public Integer call() {
      String query = "?limit=" + limit + (state == null ? "" : "&state=" + encode(state));
      JsonArray tasks = gateway.client().get("/api/tasks" + query).getJsonArray("tasks");
      System.out.printf("%-36s  %-16s  %-8s  %-24s  %s%n", "ID", "NAME", "STATE", "UPDATED", "RESULT / ERROR");
      for (Object item : tasks) {
        JsonObject task = (JsonObject) item;
        JsonObject error = task.getJsonObject("error");
        String outcome = error != null ? error.getString("type") + ": " + error.getString("message")
            : task.getValue("result") == null ? "" : Json.encode(task.getValue("result"));
        System.out.printf("%-36s  %-16s  %-8s  %-24s  %s%n", task.getString("id"), task.getString("name"),
            task.getString("state"), updated(task), outcome);
      }
      return 0;
    }

    private static String updated(JsonObject task) {
      return task.getJsonObject("timestamps", new JsonObject()).stream().map(entry -> String.valueOf(entry.getValue()))
          .map(Instant::parse).max(Instant::compareTo).map(Instant::toString).orElse("");
    }
  }

  static <T> T parse(String option, String text, Class<T> type) {
    try {
      Object value = Json.decodeValue(text);
      if (!type.isInstance(value)) {
        throw new DecodeException("expected a JSON " + (type == JsonArray.class ? "array" : "object"));
      }
      return type.cast(value);
    } catch (DecodeException e) {
      String why = e.getMessage() == null ? "not valid JSON" : e.getMessage().lines().findFirst().orElse("not valid JSON");
      throw new CliException(CliException.USAGE, option + " " + text + ": " + why);
    }
  }

  static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }
}

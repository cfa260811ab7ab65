package dev.switchboard.deploy.cli;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code switchboard workflows submit | show | list | revoke}, against a running gateway's workflow API. */
@Command(name = "workflows", mixinStandardHelpOptions = true,
    description = "Submit, show, list and revoke workflows (chain, group, chord) on a running gateway.",
    subcommands = {WorkflowsCommand.Submit.class, WorkflowsCommand.Show.class, WorkflowsCommand.ListWorkflows.class,
        WorkflowsCommand.Revoke.class})
public final class WorkflowsCommand {

  /** How often {@code submit --wait} re-reads the workflow. */
  private static final long POLL_MS = 200;

  @Command(name = "submit", mixinStandardHelpOptions = true,
      description = "Submits the workflow in FILE (JSON: {\"chain\": [...]}, {\"group\": [...]} or {\"chord\": {\"header\": [...], "
          + "\"body\": {...}}}; - reads stdin); prints its id, or with --wait its result once it ends.")
  static final class Submit implements Callable<Integer> {

    @Mixin
    GatewayOptions gateway;

    @Parameters(index = "0", paramLabel = "FILE", description = "the workflow as JSON, or - for stdin")
    String file;

    @Option(names = "--wait", description = "wait until the workflow ends, then print its result")
    boolean await;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "0", description = "give up waiting after this long (0: never)")
    long timeoutSeconds;

    @Override
    public Integer call() throws InterruptedException {
      JsonObject body = TasksCommand.parse(file, read(file), JsonObject.class);
      GatewayClient client = gateway.client();
      String id = client.post("/api/workflows", body).getString("id");
      if (!await) {
        System.out.println(id);
        return 0;
      }
      System.err.println("workflow " + id);
      long deadline = timeoutSeconds <= 0 ? Long.MAX_VALUE : System.currentTimeMillis() + timeoutSeconds * 1000;
      JsonObject workflow = client.get("/api/workflows/" + TasksCommand.encode(id));
      while (!isFinal(workflow.getString("state"))) {
        if (System.currentTimeMillis() > deadline) {
          throw new CliException(CliException.FAILED, "workflow " + id + " is still " + workflow.getString("state")
              + " after " + timeoutSeconds + " s");
        }
        Thread.sleep(POLL_MS); // a command-line process, no event loop here
        workflow = client.get("/api/workflows/" + TasksCommand.encode(id));
      }
      if ("SUCCESS".equals(workflow.getString("state"))) {
        System.out.println(Json.encode(workflow.getValue("result")));
        return 0;
      }
      JsonObject error = workflow.getJsonObject("error", new JsonObject());
      throw new CliException(CliException.FAILED, "workflow " + id + " ended " + workflow.getString("state") + ": "
          + error.getString("message", "?"));
    }

    private static String read(String file) {
      try {
        return "-".equals(file) ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8) : Files.readString(Path.of(file));
      } catch (IOException e) {
        throw new CliException(CliException.USAGE, "cannot read " + file + ": " + e.getMessage());
      }
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true,
      description = "Shows one workflow: state, result or error, and each task's id, name and state.")
  static final class Show implements Callable<Integer> {

    @Mixin
    GatewayOptions gateway;

    @Parameters(index = "0", paramLabel = "ID", description = "the workflow's id")
    String id;

    @Option(names = "--json", description = "print the workflow as JSON")
    boolean json;

    @Override
    public Integer call() {
      JsonObject workflow = gateway.client().get("/api/workflows/" + TasksCommand.encode(id));
      if (json) {
        System.out.println(workflow.encodePrettily());
        return 0;
      }
      System.out.printf("%-8s %s%n", "id", workflow.getString("id"));
      System.out.printf("%-8s %s%n", "state", workflow.getString("state"));
      System.out.printf("%-8s %s%n", "created", Instant.ofEpochMilli(workflow.getLong("created", 0L)));
      if (workflow.getValue("result") != null) {
        System.out.printf("%-8s %s%n", "result", Json.encode(workflow.getValue("result")));
      }
      JsonObject error = workflow.getJsonObject("error");
      if (error != null) {
        System.out.printf("%-8s %s%n", "error", error.getString("message"));
      }
      System.out.printf("%n%-40s  %-16s  %s%n", "TASK ID", "NAME", "STATE");
      for (Object item : workflow.getJsonArray("tasks", new JsonArray())) {
        JsonObject task = (JsonObject) item;
        System.out.printf("%-40s  %-16s  %s%n", task.getString("id"), task.getString("task"),
            task.getString("state") == null ? "(not created)" : task.getString("state"));
      }
      return 0;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the newest workflows, newest first.")
  static final class ListWorkflows implements Callable<Integer> {

    @Mixin
    GatewayOptions gateway;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "20", description = "at most this many (default: ${DEFAULT-VALUE})")
    int limit;

    @Override
    public Integer call() {
      JsonArray workflows = gateway.client().get("/api/workflows?limit=" + limit).getJsonArray("workflows", new JsonArray());
      System.out.printf("%-36s  %-8s  %5s  %-24s  %s%n", "ID", "STATE", "TASKS", "CREATED", "RESULT / ERROR");
      for (Object item : workflows) {
        JsonObject workflow = (JsonObject) item;
        JsonObject error = workflow.getJsonObject("error");
        String outcome = error != null ? error.getString("message")
            : workflow.getValue("result") == null ? "" : Json.encode(workflow.getValue("result"));
        System.out.printf("%-36s  %-8s  %5d  %-24s  %s%n", workflow.getString("id"), workflow.getString("state"),
            workflow.getJsonArray("tasks", new JsonArray()).size(), Instant.ofEpochMilli(workflow.getLong("created", 0L)),
            outcome);
      }
      return 0;
    }
  }

  @Command(name = "revoke", mixinStandardHelpOptions = true,
      description = "Revokes a workflow: its unfinished tasks are revoked and nothing further runs; prints its state.")
  static final class Revoke implements Callable<Integer> {

    @Mixin
    GatewayOptions gateway;

    @Parameters(index = "0", paramLabel = "ID", description = "the workflow's id")
    String id;

    @Override
    public Integer call() {
      JsonObject answer = gateway.client().delete("/api/workflows/" + TasksCommand.encode(id));
      System.out.println("workflow " + id + " " + answer.getString("state"));
      return 0;
    }
  }

  private static boolean isFinal(String state) {
    return "SUCCESS".equals(state) || "FAILURE".equals(state) || "REVOKED".equals(state);
  }
}

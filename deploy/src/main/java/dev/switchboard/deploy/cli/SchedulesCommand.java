package dev.switchboard.deploy.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code switchboard schedules list | add | remove}: periodic tasks, against a running gateway's schedule API. */
@Command(name = "schedules", mixinStandardHelpOptions = true,
    description = "List, add and remove periodic tasks (Celery beat) on a running gateway.",
    subcommands = {SchedulesCommand.ListSchedules.class, SchedulesCommand.Add.class, SchedulesCommand.Remove.class})
public final class SchedulesCommand {

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "Lists the schedules with their next and last occurrence, and the worker whose scheduler leads.")
  static final class ListSchedules implements Callable<Integer> {

    @Mixin
    GatewayOptions gateway;

    @Option(names = "--json", description = "print the answer of GET /api/schedules as JSON")
    boolean json;

    @Override
    public Integer call() {
      JsonObject answer = gateway.client().get("/api/schedules");
      if (json) {
        System.out.println(answer.encodePrettily());
        return 0;
      }
      System.out.printf("%-24s  %-16s  %-28s  %-24s  %s%n", "NAME", "TASK", "WHEN", "NEXT", "LAST");
      for (Object item : answer.getJsonArray("schedules", new JsonArray())) {
        JsonObject schedule = (JsonObject) item;
        System.out.printf("%-24s  %-16s  %-28s  %-24s  %s%n", schedule.getString("name"), schedule.getString("task"),
            when(schedule), schedule.getString("next", "-"), last(schedule.getJsonObject("last")));
      }
      System.out.println("leader: " + answer.getString("leader", "none (no worker's scheduler holds the lease)")
          + ", " + answer.getJsonArray("schedules", new JsonArray()).size() + " of at most " + answer.getInteger("max"));
      return 0;
    }

    private static String when(JsonObject schedule) {
      return schedule.containsKey("every") ? "every " + schedule.getString("every")
          : "cron " + schedule.getString("cron") + (schedule.containsKey("tz") ? " " + schedule.getString("tz") : "");
    }

    private static String last(JsonObject last) {
      if (last == null) {
        return "-";
      }
      return last.getString("at") + (last.getString("error") != null ? " not sent: " + last.getString("error")
          : " " + last.getString("id"));
    }
  }

  @Command(name = "add", mixinStandardHelpOptions = true,
      description = "Adds (or replaces) schedule NAME: TASK every interval or on a cron expression; prints its next run.")
  static final class Add implements Callable<Integer> {

    @Mixin
    GatewayOptions gateway;

    @Parameters(index = "0", paramLabel = "NAME", description = "the schedule's name, e.g. cleanup")
    String name;

    @Parameters(index = "1", paramLabel = "TASK", description = "the task to send, e.g. add")
    String task;

    static final class When {
      @Option(names = "--every", paramLabel = "INTERVAL", required = true, description = "500ms, 10s, 5m, 2h or 1d")
      String every;

      @Option(names = "--cron", paramLabel = "EXPR", required = true,
          description = "a 5-field cron expression, e.g. \"*/5 * * * *\" or \"0 9 * * MON-FRI\"")
      String cron;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    When when;

    @Option(names = "--tz", paramLabel = "ZONE", description = "the time zone of --cron, e.g. Europe/Paris (default UTC)")
    String tz;

    @Option(names = "--args", paramLabel = "JSON", defaultValue = "[]", description = "positional arguments, a JSON array")
    String args;

    @Option(names = "--kwargs", paramLabel = "JSON", defaultValue = "{}", description = "keyword arguments, a JSON object")
    String kwargs;

    @Option(names = "--options", paramLabel = "JSON", defaultValue = "{}",
        description = "options of each task sent, e.g. {\"queue\": \"default\", \"expires\": 60}")
    String options;

    @Override
    public Integer call() {
      JsonObject body = new JsonObject().put("name", name).put("task", task)
          .put("args", TasksCommand.parse("--args", args, JsonArray.class))
          .put("kwargs", TasksCommand.parse("--kwargs", kwargs, JsonObject.class))
          .put("options", TasksCommand.parse("--options", options, JsonObject.class));
      if (when.every != null) {
        body.put("every", when.every);
      } else {
        body.put("cron", when.cron);
      }
      if (tz != null) {
        body.put("tz", tz);
      }
      JsonObject saved = gateway.client().post("/api/schedules", body);
      System.out.println(saved.getString("name") + ": next " + saved.getString("next"));
      return 0;
    }
  }

  @Command(name = "remove", mixinStandardHelpOptions = true, description = "Removes schedule NAME; no further occurrence is sent.")
  static final class Remove implements Callable<Integer> {

    @Mixin
    GatewayOptions gateway;

    @Parameters(index = "0", paramLabel = "NAME", description = "the schedule's name")
    String name;

    @Override
    public Integer call() {
      gateway.client().delete("/api/schedules/" + TasksCommand.encode(name));
      System.out.println(name + ": removed");
      return 0;
    }
  }
}

package dev.switchboard.deploy.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code switchboard queues list | pause | resume | purge}, against a running gateway's queue API. */
@Command(name = "queues", mixinStandardHelpOptions = true, description = "List, pause, resume and purge task queues.",
    subcommands = {QueuesCommand.ListQueues.class, QueuesCommand.Pause.class, QueuesCommand.Resume.class,
        QueuesCommand.Purge.class})
public final class QueuesCommand {

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "Every known queue: paused or not, waiting and running tasks, age of the oldest, counters.")
  static final class ListQueues implements Callable<Integer> {

    @Mixin
    GatewayOptions gateway;

    @Override
    public Integer call() {
      JsonObject answer = gateway.client().get("/api/queues");
      String format = "%-24s  %-7s  %8s  %8s  %10s  %9s  %8s  %8s  %8s%n";
      System.out.printf(format, "QUEUE", "STATE", "WAITING", "RUNNING", "OLDEST", "SUCCEEDED", "FAILED", "PURGED", "EXPIRED");
      for (Object item : answer.getJsonArray("queues", new JsonArray())) {
        JsonObject queue = (JsonObject) item;
        System.out.printf(format, queue.getString("queue"), queue.getBoolean("paused", false) ? "paused" : "active",
            queue.getLong("depth", 0L), queue.getLong("running", 0L), queue.getLong("oldestAgeMs", 0L) / 1000 + "s",
            queue.getLong("succeeded", 0L), queue.getLong("failed", 0L), queue.getLong("purged", 0L),
            queue.getLong("expired", 0L));
      }
      System.out.printf("%d delayed task(s) (countdown, ETA, retry backoff)%n", answer.getLong("delayed", 0L));
      return 0;
    }
  }

  /** What pause, resume and purge share: the gateway, the queue, and its path in the API. */
  abstract static class QueueAction implements Callable<Integer> {

    @Mixin
    GatewayOptions gateway;

    @Parameters(index = "0", paramLabel = "QUEUE")
    String queue;

    String path(String suffix) {
      return "/api/queues/" + TasksCommand.encode(queue) + suffix;
    }
  }

  @Command(name = "pause", mixinStandardHelpOptions = true,
      description = "No worker starts a task of QUEUE until it is resumed (running tasks finish; new ones wait).")
  static final class Pause extends QueueAction {

    @Override
    public Integer call() {
      boolean changed = gateway.client().post(path("/pause")).getBoolean("changed", false);
      System.out.println("queue " + queue + (changed ? " paused" : " was paused already"));
      return 0;
    }
  }

  @Command(name = "resume", mixinStandardHelpOptions = true, description = "Workers take the tasks of QUEUE again.")
  static final class Resume extends QueueAction {

    @Override
    public Integer call() {
      boolean changed = gateway.client().post(path("/resume")).getBoolean("changed", false);
      System.out.println("queue " + queue + (changed ? " resumed" : " was not paused"));
      return 0;
    }
  }

  @Command(name = "purge", mixinStandardHelpOptions = true,
      description = "Removes the waiting tasks of QUEUE; they end REVOKED (Purged). Running and delayed tasks stay.")
  static final class Purge extends QueueAction {

    @Override
    public Integer call() {
      long purged = gateway.client().delete(path("/tasks")).getLong("purged", 0L);
      System.out.println("purged " + purged + " waiting task(s) from " + queue);
      return 0;
    }
  }
}

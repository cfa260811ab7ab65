package dev.switchboard.deploy.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code switchboard workers}: the live task workers, as their last heartbeat described them. */
@Command(name = "workers", mixinStandardHelpOptions = true,
    description = "Lists the live workers: queues, busy slots of their concurrency, tasks completed, last heartbeat.")
public final class WorkersCommand implements Callable<Integer> {

  @Mixin
  GatewayOptions gateway;

  @Override
  public Integer call() {
    JsonArray workers = gateway.client().get("/api/workers").getJsonArray("workers", new JsonArray());
    String format = "%-22s  %-24s  %9s  %9s  %-24s  %s%n";
    System.out.printf(format, "WORKER", "QUEUES", "BUSY", "COMPLETED", "HEARTBEAT", "ACTIVE");
    for (Object item : workers) {
      JsonObject worker = (JsonObject) item;
      JsonArray active = worker.getJsonArray("active", new JsonArray());
      System.out.printf(format, worker.getString("name"),
          String.join(",", worker.getJsonArray("queues", new JsonArray()).stream().map(String::valueOf).toList()),
          worker.getLong("busy", 0L) + "/" + worker.getLong("concurrency", 0L), worker.getLong("completed", 0L),
          Instant.ofEpochMilli(worker.getLong("heartbeat", 0L)),
          String.join(" ", active.stream().map(JsonObject.class::cast)
              .map(task -> task.getString("name") + "[" + task.getString("id") + "]").toList()));
    }
    System.out.println(workers.size() + " live worker(s)");
    return 0;
  }
}

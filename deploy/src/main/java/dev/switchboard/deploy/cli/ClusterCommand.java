package dev.switchboard.deploy.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code switchboard cluster status}: every node the gateway sees, its roles and health. */
@Command(name = "cluster", mixinStandardHelpOptions = true, description = "Looks at the cluster through a running gateway.",
    subcommands = ClusterCommand.Status.class)
public final class ClusterCommand {

  @Command(name = "status", mixinStandardHelpOptions = true,
      description = "Lists the nodes with their roles and health; exits 1 when one is not UP.")
  static final class Status implements Callable<Integer> {

    @Mixin
    GatewayOptions gateway;

    @Override
    public Integer call() {
      JsonObject status = gateway.client().get("/api/cluster");
      JsonArray nodes = status.getJsonArray("nodes", new JsonArray());
      System.out.printf("%s cluster, %d node(s), seen from %s%n", status.getBoolean("clustered", false) ? "clustered" : "local",
          nodes.size(), status.getString("node"));
      System.out.printf("%-40s  %-26s  %-11s  %s%n", "NODE", "ROLES", "HEALTH", "DETAILS");
      boolean allUp = true;
      for (Object item : nodes) {
        JsonObject node = (JsonObject) item;
        allUp &= "UP".equals(node.getString("status"));
        System.out.printf("%-40s  %-26s  %-11s  %s%n", node.getString("node"),
            String.join(",", node.getJsonArray("roles", new JsonArray()).stream().map(String::valueOf).toList()),
            node.getString("status"), details(node));
      }
      return allUp ? 0 : CliException.FAILED;
    }

    private static String details(JsonObject node) {
      List<String> parts = new ArrayList<>();
      if (node.containsKey("error")) {
        parts.add(node.getString("error"));
      }
      JsonObject checks = node.getJsonObject("checks", new JsonObject());
      checks.forEach(entry -> {
        JsonObject check = (JsonObject) entry.getValue();
        if (!"UP".equals(check.getString("status")) && !entry.getKey().equals("node")) {
          parts.add(entry.getKey() + " " + check.getString("status"));
        }
      });
      JsonObject worker = checks.getJsonObject("worker", new JsonObject()).getJsonObject("data");
      if (worker != null && worker.containsKey("concurrency")) {
        parts.add("worker " + worker.getInteger("busy", 0) + "/" + worker.getInteger("concurrency") + " busy, "
            + worker.getLong("tasksCompleted", 0L) + " done");
      }
      JsonObject sockets = node.getJsonObject("websockets");
      if (sockets != null) {
        parts.add(sockets.stream().mapToLong(entry -> ((Number) entry.getValue()).longValue()).sum() + " socket(s)");
      }
      return String.join("; ", parts);
    }
  }
}

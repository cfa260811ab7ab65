package dev.switchboard.deploy;

import dev.switchboard.api.tasks.TaskSignature;
import dev.switchboard.shared.config.TaskSettings;
import dev.switchboard.api.tasks.TaskDefinition;
import dev.switchboard.worker.TaskRegistry;
import dev.switchboard.worker.TaskWorker;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * A worker JVM (the jar's task runtime) that also knows {@code halt()}: a poison task that kills its JVM with
 * {@code Runtime.halt}, as a native crash or the OOM killer would. Test-only: no real worker may ship it.
 * Arguments: Redis URL, task namespace, visibility timeout in ms.
 */
public final class PoisonWorkerMain {

  /** The exit code of a JVM the poison task killed. */
  static final int HALTED = 3;

  private PoisonWorkerMain() {
  }

  public static void main(String[] args) {
    TaskRegistry registry = TaskRegistry.shipped().register(TaskDefinition.async("halt", TaskSignature.of(), context -> {
      Runtime.getRuntime().halt(HALTED);
      return null;
    }));
    TaskSettings settings = TaskSettings.fromJson(new JsonObject().put("tasks", new JsonObject()
        .put("namespace", args[1]).put("visibilityTimeoutMs", Integer.parseInt(args[2])).put("concurrency", 4)));
    Vertx vertx = Vertx.vertx();
    vertx.deployVerticle(new TaskWorker(registry, settings, args[0])).onComplete(deployed -> {
      if (deployed.failed()) {
        deployed.cause().printStackTrace();
        Runtime.getRuntime().halt(1);
      }
      // the line SwitchboardProcess waits for
      System.out.println("Switchboard ready: poison worker, http port 0, node poison-" + ProcessHandle.current().pid());
    });
  }
}

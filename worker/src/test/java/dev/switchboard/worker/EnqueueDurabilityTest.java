package dev.switchboard.worker;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.api.tasks.TaskOptions;
import dev.switchboard.api.tasks.TaskSignature;
import dev.switchboard.shared.tasks.RedisUnavailableException;
import dev.switchboard.shared.tasks.RedisTaskClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Files;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("enqueueReplicas: an enqueue is acknowledged only once a replica has it (WAIT), else it fails as unavailable")
class EnqueueDurabilityTest {

  private RedisProcess primary;
  private RedisProcess replica;

  @AfterEach
  void stop() throws Exception {
    if (replica != null) {
      replica.close();
    }
    if (primary != null) {
      primary.close();
    }
  }

  @Test
  @Timeout(40_000)
  @DisplayName("With one replica attached the enqueue succeeds; with the replica stopped it fails with RedisUnavailable")
  void waitsForTheReplica(Vertx vertx, VertxTestContext testContext) throws Exception {
    primary = new RedisProcess(Files.createTempDirectory("redis-primary"));
    replica = new RedisProcess(Files.createTempDirectory("redis-replica"));
    primary.start();
    replica.startReplicaOf(primary);
    RedisTaskClient client = RedisTaskClient.create(vertx, primary.url(), TaskTesting.settings(TaskTesting.namespace(),
        new JsonObject().put("enqueueReplicas", 1).put("enqueueReplicaTimeoutMs", 300)));
    JsonArray args = new JsonArray().add(1).add(2);
    client.register("add", TaskSignature.of(TaskSignature.param("x", TaskSignature.Type.NUMBER),
            TaskSignature.param("y", TaskSignature.Type.NUMBER)))
        // the replica's first sync may take a moment: the event that proves it is attached is an acknowledged enqueue
        .compose(v -> TaskTesting.eventually(vertx, 20_000,
            () -> client.apply("add", args, null, TaskOptions.defaults()).map(handle -> true)))
        .compose(v -> vertx.executeBlocking(() -> {
          replica.close();
          return null;
        }))
        .compose(v -> client.apply("add", args, null, TaskOptions.defaults()).transform(sent -> {
          testContext.verify(() -> {
            assertTrue(sent.failed(), "acknowledged with no replica to hold it");
            assertInstanceOf(RedisUnavailableException.class, sent.cause());
            assertTrue(sent.cause().getMessage().contains("0 of 1"), sent.cause().getMessage());
          });
          return Future.succeededFuture();
        }))
        .eventually(() -> {
          client.close();
          return Future.succeededFuture();
        })
        .onComplete(testContext.succeedingThenComplete());
  }
}

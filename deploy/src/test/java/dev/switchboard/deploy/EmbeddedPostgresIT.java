package dev.switchboard.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("java -jar with no PostgreSQL configured: the embedded one")
class EmbeddedPostgresIT {

  private SwitchboardProcess node;
  // a field: Vert.x closes an unreachable client (a Cleaner), and with it the sockets and requests using it
  private HttpClient http;

  @AfterEach
  void stop() throws Exception {
    if (node != null) {
      node.close();
    }
  }

  private static JsonObject call(HttpClient http, int port, HttpMethod method, String uri, JsonObject body) throws Exception {
    return http.request(new RequestOptions().setMethod(method).putHeader("Content-Type", "application/json").setHost("127.0.0.1").setPort(port).setURI(uri))
        .compose(request -> body == null ? request.send() : request.send(body.toBuffer()))
        .compose(response -> response.body().map(Buffer::toJsonObject).map(json -> json.put("httpStatus", response.statusCode())))
        .await(10, TimeUnit.SECONDS);
  }

  @Test
  @Timeout(value = 180, timeUnit = TimeUnit.SECONDS)
  @DisplayName("starts a real PostgreSQL, says so in the log, keeps history across a restart, and stops it on SIGTERM")
  void embeddedDefault(Vertx vertx) throws Exception {
    Path dir = Path.of("target", "it-pg", "default-" + UUID.randomUUID());
    Map<String, String> env = Map.of("SWITCHBOARD_PG_EMBEDDED_DIR", dir.toString());
    http = vertx.createHttpClient();

    node = SwitchboardProcess.start("embedded-pg-1", env, "gateway", "consumers");
    int port = node.awaitReady();
    assertTrue(node.output().contains("started embedded PostgreSQL 14"), node.output());
    JsonObject posted = call(http, port, HttpMethod.POST, "/api/rooms/lobby/messages", new JsonObject().put("message", "kept"));
    assertEquals(201, posted.getInteger("httpStatus"), posted.encode());
    assertEquals(0, node.terminate(), node.output());
    assertTrue(node.output().contains("embedded PostgreSQL stopped"), node.output());
    assertFalse(Files.exists(dir.resolve("postmaster.pid")), "PostgreSQL shut down cleanly");

    node = SwitchboardProcess.start("embedded-pg-2", env, "gateway", "consumers");
    port = node.awaitReady();
    JsonObject history = call(http, port, HttpMethod.GET, "/api/rooms/lobby/messages", null);
    assertEquals("kept", history.getJsonArray("messages").getJsonObject(0).getString("message"), history.encode());
    assertTrue(node.output().contains("1 migrations applied before, 0 now"), node.output());
    assertEquals(0, node.terminate(), node.output());
  }
}

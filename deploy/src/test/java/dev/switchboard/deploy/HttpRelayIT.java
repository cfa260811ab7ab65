package dev.switchboard.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
@DisplayName("HTTP consumers on consumers JVMs, relayed by a gateway JVM that never touches PostgreSQL")
class HttpRelayIT {

  private final Map<String, String> env = SwitchboardProcess.clusterEnv(2);
  private SwitchboardProcess gateway;
  private SwitchboardProcess consumers;
  private SwitchboardProcess sender;

  @AfterEach
  void stopAll() throws Exception {
    for (SwitchboardProcess process : new SwitchboardProcess[] {gateway, consumers, sender}) {
      if (process != null) {
        process.close();
      }
    }
  }

  @Test
  @Timeout(value = 150, timeUnit = TimeUnit.SECONDS)
  @DisplayName("curl -N on /api/rooms/{room}/events receives a message posted to the rooms API, stored and broadcast by "
      + "the consumers JVM; the author is anonymous without a token and a body user cannot claim another; the gateway "
      + "logs no PostgreSQL and has no pg health check; a group message sent from a third JVM, started after the stream "
      + "opened and holding no member, reaches the stream too")
  void serverSentEventsAcrossJvms(Vertx vertx, @TempDir Path dir) throws Throwable {
    // an app whose only route sends to a room's group: started on a third JVM, so the send is issued there
    Path senderApp = AppJar.build(dir.resolve("sender"), "RoomSender", """
        package testapp;
        public final class RoomSender implements dev.switchboard.api.SwitchboardApp {
          public String name() { return "room-sender"; }
          public void configure(dev.switchboard.api.AppBuilder app) {
            app.http("/relay-send/:room", Send::new);
          }
          public static final class Send extends dev.switchboard.api.http.HttpConsumer {
            protected io.vertx.core.Future<Void> handle(dev.switchboard.api.http.HttpRequest request) {
              return channelLayer().groupSend("chat." + request.param("room"), new io.vertx.core.json.JsonObject()
                      .put("type", "websocket.send").put("text", request.queryParam("text")))
                  .compose(report -> sendJson(200, report.toJson()));
            }
          }
        }
        """);
    gateway = SwitchboardProcess.start("relay-gateway", env, "gateway", "--cluster");
    int port = gateway.awaitReady();
    consumers = SwitchboardProcess.start("relay-consumers", env, "consumers", "--cluster");
    consumers.awaitReady();
    WebClient web = WebClient.create(vertx);
    Eventually.eventually(vertx, 5000, () -> web.get(port, "127.0.0.1", "/api/routes").send()
        .map(reply -> reply.bodyAsString().contains("rooms-events") && reply.bodyAsString().contains("rooms-api")))
        .await(10, TimeUnit.SECONDS);

    String room = "sse-" + UUID.randomUUID().toString().substring(0, 8);
    try (ScriptRun curl = ScriptRun.start(List.of("curl", "-N", "-s", "http://127.0.0.1:" + port + "/api/rooms/" + room + "/events"))) {
      curl.awaitLine(": joined", 30);
      HttpResponse<?> posted = web.post(port, "127.0.0.1", "/api/rooms/" + room + "/messages")
          .sendJsonObject(new JsonObject().put("message", "hello over SSE")).await(10, TimeUnit.SECONDS);
      assertEquals(201, posted.statusCode(), posted.bodyAsString());
      assertEquals("anonymous", posted.bodyAsJsonObject().getString("user"), "no token: the author is anonymous");
      curl.awaitLine("hello over SSE", 30);
      String event = curl.output().lines().filter(line -> line.startsWith("data: ")).findFirst().orElseThrow();
      JsonObject broadcast = new JsonObject(event.substring("data: ".length()));
      assertEquals(posted.bodyAsJsonObject(), broadcast, "the stored message, as broadcast");

      // the stream's consumer lives on the consumers JVM (the only one serving its route when it opened); the
      // group send below is issued on a JVM started afterwards, which serves the only route that sends it
      sender = SwitchboardProcess.start("relay-sender", env, "consumers", "--cluster", "--app", senderApp.toString());
      sender.awaitReady();
      Eventually.eventually(vertx, 30_000, () -> web.get(port, "127.0.0.1", "/api/routes").send()
          .map(reply -> reply.bodyAsString().contains("/relay-send/"))).await(40, TimeUnit.SECONDS);
      HttpResponse<?> sent = web.get(port, "127.0.0.1", "/relay-send/" + room + "?text=from-a-third-jvm").send()
          .await(10, TimeUnit.SECONDS);
      assertEquals(200, sent.statusCode(), sent.bodyAsString());
      JsonObject report = sent.bodyAsJsonObject();
      assertEquals(1, report.getInteger("delivered"), "the stream is the room's one member: " + report);
      assertEquals(1, report.getInteger("clusterMessages"), "the member is on another JVM than the sender: " + report);
      curl.awaitLine("data: from-a-third-jvm", 30);
    }

    HttpResponse<?> impostor = web.post(port, "127.0.0.1", "/api/rooms/" + room + "/messages")
        .sendJsonObject(new JsonObject().put("message", "as ada").put("user", "ada")).await(10, TimeUnit.SECONDS);
    assertEquals(403, impostor.statusCode(), impostor.bodyAsString());
    HttpResponse<?> history = web.get(port, "127.0.0.1", "/api/rooms/" + room + "/messages").send().await(10, TimeUnit.SECONDS);
    assertEquals(List.of("hello over SSE"), history.bodyAsJsonObject().getJsonArray("messages").stream()
        .map(m -> ((JsonObject) m).getString("message")).toList());

    HttpResponse<?> health = web.get(port, "127.0.0.1", "/health").send().await(10, TimeUnit.SECONDS);
    assertEquals(200, health.statusCode(), health.bodyAsString());
    assertFalse(health.bodyAsJsonObject().getJsonArray("checks").stream().map(JsonObject.class::cast)
        .anyMatch(check -> "pg".equals(check.getString("id"))), "a gateway-only node has no pg check: " + health.bodyAsString());
    assertFalse(gateway.output().contains("PostgreSQL"), "a gateway-only node logs no PostgreSQL: " + gateway.output());
    assertTrue(consumers.output().contains("PostgreSQL"), "the consumers node does use it");
    Future.succeededFuture(web).onComplete(w -> web.close());
  }
}

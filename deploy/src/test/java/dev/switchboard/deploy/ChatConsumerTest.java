package dev.switchboard.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.consumers.ConsumersVerticle;
import dev.switchboard.gateway.GatewayVerticle;
import dev.switchboard.shared.channels.ChannelLayerVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The chat and plain-text room consumers, end to end through a real gateway on one node. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 15, timeUnit = TimeUnit.SECONDS)
class ChatConsumerTest {

  private int port;
  private final List<RoomClient> clients = new java.util.ArrayList<>();

  @BeforeEach
  void deploy(Vertx vertx, VertxTestContext test) {
    JsonObject config = new JsonObject().put("http", new JsonObject().put("port", 0).put("host", "127.0.0.1").put("instances", 2));
    DeploymentOptions options = new DeploymentOptions().setConfig(config);
    GatewayVerticle gateway = GatewayVerticle.standalone();
    vertx.deployVerticle(ChannelLayerVerticle.standalone(), options)
        .compose(v -> vertx.deployVerticle(ConsumersVerticle.standalone(), options))
        .compose(v -> vertx.deployVerticle(gateway, options))
        .onSuccess(v -> port = gateway.actualPort())
        .onComplete(test.succeedingThenComplete());
  }

  private Future<RoomClient> join(Vertx vertx, String path) {
    return RoomClient.connect(vertx, port, path).onSuccess(clients::add);
  }

  @org.junit.jupiter.api.AfterEach
  void closeClients(VertxTestContext test) {
    Future.all(clients.stream().map(RoomClient::close).toList()).onComplete(test.succeedingThenComplete());
  }

  @Test
  @DisplayName("a chat message reaches everyone in the room once, as {room, user, message, ts}")
  void broadcast(Vertx vertx, VertxTestContext test) {
    Future.all(join(vertx, "/ws/chat/lobby"), join(vertx, "/ws/chat/lobby"), join(vertx, "/ws/chat/lobby2"))
        .compose(all -> {
          RoomClient ann = all.resultAt(0);
          RoomClient bob = all.resultAt(1);
          RoomClient other = all.resultAt(2);
          return ann.send("{\"message\": \"hello\"}")
              .compose(v -> Future.all(ann.first(1), bob.first(1)))
              .compose(v -> bob.send("{\"message\": \"second\"}"))
              .compose(v -> Future.all(ann.first(2), bob.first(2)))
              .onSuccess(v -> test.verify(() -> {
                assertEquals(ann.received, bob.received);
                assertEquals(2, ann.received.size());
                JsonObject first = new JsonObject(ann.received.get(0));
                assertEquals("lobby", first.getString("room"));
                assertEquals("anonymous", first.getString("user"));
                assertEquals("hello", first.getString("message"));
                assertTrue(first.getLong("ts") > 0);
                assertEquals(List.of(), other.received);
              }));
        })
        .onComplete(test.succeedingThenComplete());
  }

  @Test
  @DisplayName("one sender's messages arrive in the order sent")
  void order(Vertx vertx, VertxTestContext test) {
    Future.all(join(vertx, "/ws/chat/ordered"), join(vertx, "/ws/chat/ordered"))
        .compose(all -> {
          RoomClient sender = all.resultAt(0);
          RoomClient reader = all.resultAt(1);
          IntStream.range(0, 200).forEach(i -> sender.send(new JsonObject().put("message", "m" + i).encode()));
          return reader.first(200);
        })
        .onComplete(test.succeeding(messages -> test.verify(() -> {
          List<String> texts = messages.stream().map(m -> new JsonObject(m).getString("message")).toList();
          assertEquals(IntStream.range(0, 200).mapToObj(i -> "m" + i).toList(), texts);
          test.completeNow();
        })));
  }

  @Test
  @DisplayName("malformed JSON, a missing message and an over-long message get an error frame; the socket stays open")
  void badInput(Vertx vertx, VertxTestContext test) {
    join(vertx, "/ws/chat/errors")
        .compose(client -> client.send("{not json")
            .compose(v -> client.send("{\"text\": \"no message field\"}"))
            .compose(v -> client.send(new JsonObject().put("message", "x".repeat(4097)).encode()))
            .compose(v -> client.send(new JsonObject().put("message", "é".repeat(2049)).encode()))
            .compose(v -> client.send(new JsonObject().put("message", "y".repeat(4096)).encode()))
            .compose(v -> client.first(5))
            .onSuccess(frames -> test.verify(() -> {
              assertTrue(new JsonObject(frames.get(0)).getString("error").contains("malformed JSON"), frames.get(0));
              assertTrue(new JsonObject(frames.get(1)).getString("error").contains("message"), frames.get(1));
              assertTrue(new JsonObject(frames.get(2)).getString("error").contains("too long: 4097 bytes"), frames.get(2));
              assertTrue(new JsonObject(frames.get(3)).getString("error").contains("too long: 4098 bytes"), frames.get(3));
              assertEquals(4096, new JsonObject(frames.get(4)).getString("message").length());
              assertFalse(client.isClosed());
            })))
        .onComplete(test.succeedingThenComplete());
  }

  @Test
  @DisplayName("in a plain-text room every frame reaches every member, the sender included")
  void rooms(Vertx vertx, VertxTestContext test) {
    Future.all(join(vertx, "/ws/rooms/bench"), join(vertx, "/ws/rooms/bench"), join(vertx, "/ws/rooms/bench"))
        .compose(all -> {
          RoomClient publisher = all.resultAt(0);
          return publisher.send("1:one").compose(v -> publisher.send("2:two"))
              .compose(v -> Future.all(IntStream.range(0, 3).mapToObj(i -> ((RoomClient) all.resultAt(i)).first(2)).toList()));
        })
        .onComplete(test.succeeding(all -> test.verify(() -> {
          for (int i = 0; i < 3; i++) {
            assertEquals(List.of("1:one", "2:two"), all.resultAt(i));
          }
          test.completeNow();
        })));
  }
}

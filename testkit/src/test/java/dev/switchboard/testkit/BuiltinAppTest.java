package dev.switchboard.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayName("The built-in app, through the test kit: a node in this JVM, real sockets, real Redis and PostgreSQL")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BuiltinAppTest {

  static final String REDIS_URL = System.getenv().getOrDefault("SWITCHBOARD_TEST_REDIS_URL", "redis://127.0.0.1:6379");
  static final String PG_URL = System.getenv().getOrDefault("SWITCHBOARD_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test");

  private static SwitchboardTestNode node;

  @BeforeAll
  static void start() {
    node = SwitchboardTestNode.builder().redisUrl(REDIS_URL).pgUrl(PG_URL)
        .config(new JsonObject().put("tasks", new JsonObject().put("namespace", "testkit-" + UUID.randomUUID())))
        .start();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  @DisplayName("/ws/echo answers every text frame upper-cased, in order")
  void echo() {
    WebsocketCommunicator ws = node.websocket("/ws/echo");
    assertTrue(ws.connect());
    for (int i = 0; i < 50; i++) {
      ws.sendText("hello " + i);
    }
    for (int i = 0; i < 50; i++) {
      assertEquals("HELLO " + i, ws.receiveText());
    }
    ws.disconnect();
  }

  @Test
  @DisplayName("a message sent to /ws/chat/{room} reaches every member of the room, the sender included")
  void chat() {
    String room = "kit-" + UUID.randomUUID().toString().substring(0, 8);
    WebsocketCommunicator ada = node.websocket("/ws/chat/" + room);
    WebsocketCommunicator bob = node.websocket("/ws/chat/" + room);
    assertTrue(ada.connect());
    assertTrue(bob.connect());
    ada.sendText(new JsonObject().put("message", "hi bob").encode());
    for (WebsocketCommunicator member : new WebsocketCommunicator[] {ada, bob}) {
      JsonObject received = new JsonObject(member.receiveText());
      assertEquals("hi bob", received.getString("message"));
      assertEquals(room, received.getString("room"));
    }
    ada.sendText("not json");
    assertTrue(new JsonObject(ada.receiveText()).containsKey("error"));
    ada.disconnect();
    bob.disconnect();
  }

  @Test
  @DisplayName("an unknown path is refused with 404 before the upgrade")
  void unknownPath() {
    WebsocketCommunicator ws = node.websocket("/ws/nowhere");
    assertFalse(ws.connect());
    assertEquals(404, ws.rejectedStatus());
  }

  @Test
  @DisplayName("add(2, 3) runs on the node's worker; run eagerly it needs no worker at all")
  void tasks() {
    assertEquals(5, ((Number) node.runTask("add", 2, 3)).intValue());
    assertEquals(7L, ((Number) EagerTasks.run(new dev.switchboard.worker.BuiltinTasksApp(), "add", 3, 4).value()).longValue());
  }
}

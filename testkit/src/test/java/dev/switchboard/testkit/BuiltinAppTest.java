package dev.switchboard.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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

  @Test
  @DisplayName("a text frame sent to /ws/rooms/{room} reaches every member unchanged, the sender included")
  void rooms() {
    String room = room();
    WebsocketCommunicator ada = node.websocket("/ws/rooms/" + room);
    WebsocketCommunicator bob = node.websocket("/ws/rooms/" + room);
    assertTrue(ada.connect());
    assertTrue(bob.connect());
    ada.sendText("plain text, not JSON");
    assertEquals("plain text, not JSON", ada.receiveText());
    assertEquals("plain text, not JSON", bob.receiveText());
    ada.disconnect();
    bob.disconnect();
  }

  @Test
  @DisplayName("POST /api/rooms/{room}/messages stores a message (201, author anonymous) that GET then pages back; a body that is not JSON is refused")
  void roomsApi() {
    String room = room();
    HttpCommunicator.Response posted = node.http("POST", "/api/rooms/" + room + "/messages")
        .header("content-type", "application/json").body(new JsonObject().put("message", "hi from http").encode())
        .getResponse();
    assertEquals(201, posted.status(), posted.body());
    assertEquals("hi from http", posted.json().getString("message"));
    assertEquals("anonymous", posted.json().getString("user"));
    assertEquals(room, posted.json().getString("room"));

    HttpCommunicator.Response page = node.http("GET", "/api/rooms/" + room + "/messages?limit=10").getResponse();
    assertEquals(200, page.status(), page.body());
    JsonArray messages = page.json().getJsonArray("messages");
    assertEquals(1, messages.size(), page.body());
    assertEquals(posted.json().getLong("id"), messages.getJsonObject(0).getLong("id"));
    assertEquals("hi from http", messages.getJsonObject(0).getString("message"));

    HttpCommunicator.Response malformed = node.http("POST", "/api/rooms/" + room + "/messages")
        .header("content-type", "application/json").body("{\"message\": ").getResponse();
    assertEquals(400, malformed.status(), malformed.body());
  }

  @Test
  @DisplayName("GET /api/rooms/{room}/events streams server-sent events: a message posted over HTTP and one sent by a /ws/chat member")
  void roomEvents() {
    String room = room();
    try (HttpCommunicator.Streaming events = node.http("GET", "/api/rooms/" + room + "/events").stream()) {
      assertEquals(200, events.status());
      assertEquals("text/event-stream", events.headers().get("content-type"));
      events.readUntil(": joined\n\n"); // in the room's group from here on

      HttpCommunicator.Response posted = node.http("POST", "/api/rooms/" + room + "/messages")
          .header("content-type", "application/json").body(new JsonObject().put("message", "over http").encode())
          .getResponse();
      assertEquals(201, posted.status(), posted.body());
      JsonObject first = event(events.readUntil("\n\n"));
      assertEquals("over http", first.getString("message"));
      assertEquals(posted.json().getLong("id"), first.getLong("id"));

      WebsocketCommunicator member = node.websocket("/ws/chat/" + room);
      assertTrue(member.connect());
      member.sendText(new JsonObject().put("message", "over a websocket").encode());
      assertEquals("over a websocket", event(events.readUntil("\n\n")).getString("message"));
      member.disconnect();
    }
  }

  @Test
  @DisplayName("long_running(2) watched on /ws/tasks/{id}: PENDING, then STARTED, progress 1/2 and 2/2, SUCCESS with its result, close 1000")
  void taskProgress() {
    // the queue held paused while the socket connects, so every event after PENDING arrives over the socket
    assertEquals(200, node.http("POST", "/api/queues/default/pause").getResponse().status());
    WebsocketCommunicator watcher;
    try {
      HttpCommunicator.Response submitted = node.http("POST", "/api/tasks/long_running")
          .header("content-type", "application/json").body(new JsonObject().put("args", new JsonArray().add(2)).encode())
          .getResponse();
      assertEquals(202, submitted.status(), submitted.body());
      String id = submitted.json().getString("id");
      watcher = node.websocket("/ws/tasks/" + id);
      assertTrue(watcher.connect());
      JsonObject snapshot = new JsonObject(watcher.receiveText());
      assertEquals(id, snapshot.getString("id"));
      assertEquals("PENDING", snapshot.getString("state"));
    } finally {
      assertEquals(200, node.http("POST", "/api/queues/default/resume").getResponse().status());
    }
    List<String> states = new ArrayList<>();
    List<Integer> progress = new ArrayList<>();
    JsonObject last;
    do {
      last = new JsonObject(watcher.receiveText(Duration.ofSeconds(30)));
      states.add(last.getString("state"));
      if ("PROGRESS".equals(last.getString("state"))) {
        assertEquals(2, last.getJsonObject("progress").getInteger("total"), last.encode());
        progress.add(last.getJsonObject("progress").getInteger("current"));
      }
    } while (!List.of("SUCCESS", "FAILURE", "REVOKED").contains(last.getString("state")));
    assertEquals(List.of("STARTED", "PROGRESS", "PROGRESS", "SUCCESS"), states);
    assertEquals(List.of(1, 2), progress);
    assertEquals("Task finished!", last.getString("result"), last.encode());
    assertEquals(1000, watcher.awaitClose(Duration.ofSeconds(10)));
  }

  private static String room() {
    return "kit-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** One server-sent event, {@code data: {...}\n\n}, as JSON. */
  private static JsonObject event(String block) {
    String data = block.strip();
    assertTrue(data.startsWith("data: "), block);
    JsonObject event = new JsonObject(data.substring("data: ".length()));
    assertNotNull(event.getString("message"), block);
    return event;
  }
}

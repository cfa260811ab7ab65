package com.example.quickstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.testkit.EagerTasks;
import dev.switchboard.testkit.HttpCommunicator;
import dev.switchboard.testkit.SwitchboardTestNode;
import dev.switchboard.testkit.WebsocketCommunicator;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayName("The quickstart app, on an in-process node from the test kit")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class QuickstartAppTest {

  private static SwitchboardTestNode node;

  @BeforeAll
  static void startNode() {
    // the apps on the class path (this one, from its services file, and the built-in one), every role, port 0;
    // embedded Redis and PostgreSQL unless SWITCHBOARD_REDIS_URL / SWITCHBOARD_PG_URL name real ones
    node = SwitchboardTestNode.start();
  }

  @AfterAll
  static void stopNode() {
    node.close();
  }

  @Test
  @DisplayName("/ws/quickstart/{name} greets by name, then answers each text reversed")
  void greetsAndReverses() {
    WebsocketCommunicator ws = node.websocket("/ws/quickstart/ada");
    assertTrue(ws.connect());
    assertEquals("hello, ada", ws.receiveText());
    ws.sendText("switchboard");
    assertEquals("draobhctiws", ws.receiveText());
    ws.disconnect();
  }

  @Test
  @DisplayName("GET /quickstart/square/{n} answers {\"n\", \"square\"}, and 400 when n is not an integer")
  void square() {
    HttpCommunicator.Response ok = node.http("GET", "/quickstart/square/12").getResponse();
    assertEquals(200, ok.status(), ok.body());
    assertEquals(144, ok.json().getInteger("square"));
    assertEquals(12, ok.json().getInteger("n"));
    HttpCommunicator.Response bad = node.http("GET", "/quickstart/square/twelve").getResponse();
    assertEquals(400, bad.status(), bad.body());
  }

  @Test
  @DisplayName("a path the app does not serve is refused")
  void unknownPath() {
    WebsocketCommunicator ws = node.websocket("/ws/quickstart");
    assertFalse(ws.connect());
    assertEquals(404, ws.rejectedStatus());
  }

  @Test
  @DisplayName("quickstart.slow_square(12) returns 144 through the node's real worker")
  void taskThroughWorker() {
    assertEquals(144, ((Number) node.runTask("quickstart.slow_square", 12)).intValue());
  }

  @Test
  @DisplayName("quickstart.slow_square records each n in the app's table (the node's pool), read back over GET /quickstart/squares/{n}")
  void taskUsesTheAppsTable() {
    long n = 1_000 + (System.nanoTime() & 0xFFFFF); // the table may outlive this test when a real PostgreSQL is named
    assertEquals(404, node.http("GET", "/quickstart/squares/" + n).getResponse().status());
    assertEquals(n * n, ((Number) node.runTask("quickstart.slow_square", n)).longValue());
    HttpCommunicator.Response first = node.http("GET", "/quickstart/squares/" + n).getResponse();
    assertEquals(200, first.status(), first.body());
    assertEquals(n * n, first.json().getLong("square"));
    assertEquals(1L, first.json().getLong("requests"));
    node.runTask("quickstart.slow_square", n);
    assertEquals(2L, node.http("GET", "/quickstart/squares/" + n).getResponse().json().getLong("requests"));
  }

  @Test
  @DisplayName("quickstart.slow_square run eagerly reports its three steps, then 49")
  void taskEagerly() {
    EagerTasks.Result result = EagerTasks.run(new QuickstartApp(), "quickstart.slow_square", 7);
    assertEquals(49L, ((Number) result.value()).longValue());
    assertEquals(3, result.progress().size());
    assertEquals(3, result.progress().get(2).getInteger("current"));
  }
}

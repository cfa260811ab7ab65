package dev.switchboard.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Hazelcast split and merge, made the way it happens in production and without Hazelcast's internals: three
 * node JVMs from the built jar; {@code kill -STOP} of one (a long GC pause, a frozen VM) until the others declare it
 * dead (cluster.xml: heartbeat 1 s, dead after 5 s) and drop its group members and routes, then {@code kill -CONT},
 * and Hazelcast merges it back (merge runs every 10 s). Each side must learn again what the other holds: the group
 * members (so group sends reach them, without their clients reconnecting) and the routes (so every gateway serves
 * them again).
 *
 * <p>Nodes A and C run one app, each under its own paths ({@code SPLIT_NODE}): an HTTP consumer that sends to a
 * group ({@code GET /split/{node}/send/{group}?text=}) and a WebSocket consumer ({@code /ws/split/{node}/{group}})
 * that joins the group and forwards its messages. Node B is a gateway only, so that C is the minority that merges
 * into A and B. One socket is held by each node's gateway: three members of one group, one per node.
 */
// Run on its own: SWITCHBOARD_SPLIT_MERGE_IT=1 mvn -B -pl deploy -am verify -Dtest=NONE \
//   -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=SplitMergeIT (26 s alone). Left out of the default build: in
// the full CI run its three-node cluster failed to form once (a starting node missed the 5 s heartbeat timeout
// under load), before any split.
@EnabledIfEnvironmentVariable(named = "SWITCHBOARD_SPLIT_MERGE_IT", matches = "1")
@DisplayName("After a cluster split and merge, group members and routes of both sides are learned again")
class SplitMergeIT {

  private static final String GROUP = "room";
  private final List<SwitchboardProcess> processes = new ArrayList<>();
  private Vertx vertx;
  // fields: Vert.x closes an unreachable client (a Cleaner), and with it the sockets and requests using it
  private WebSocketClient client;
  private WebClient http;
  /** Numbers every probe message of the run: two waits with one prefix must not send the same text twice. */
  private int probes;

  @AfterEach
  void stopAll() throws Exception {
    for (SwitchboardProcess process : processes) {
      process.handle().children().forEach(ProcessHandle::destroyForcibly);
      signal(process, "CONT"); // a stopped JVM cannot die
      process.close();
    }
    if (vertx != null) {
      vertx.close().await();
    }
  }

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  @DisplayName("kill -STOP of node C until the others drop it, kill -CONT: group sends reach every member from every side exactly once, member lists agree, C's routes are served by B again")
  void membersAndRoutesRelearnedAfterMerge(@TempDir Path dir) throws Exception {
    Path app = AppJar.build(dir.resolve("split"), "SplitApp", """
        package testapp;
        public final class SplitApp implements dev.switchboard.api.SwitchboardApp {
          private static final String NODE = System.getenv("SPLIT_NODE");
          public String name() { return "split-" + NODE; }
          public void configure(dev.switchboard.api.AppBuilder app) {
            app.http("/split/" + NODE + "/send/:group", Send::new);
            app.websocket("/ws/split/" + NODE + "/:group", Listen::new);
          }
          public static final class Send extends dev.switchboard.api.http.HttpConsumer {
            protected io.vertx.core.Future<Void> handle(dev.switchboard.api.http.HttpRequest request) {
              return channelLayer().groupSend(request.param("group"), new io.vertx.core.json.JsonObject()
                      .put("type", "split.message").put("text", request.queryParam("text")))
                  .compose(report -> sendJson(200, report.toJson()));
            }
          }
          public static final class Listen extends dev.switchboard.api.consumers.WebsocketConsumer {
            protected io.vertx.core.Future<Void> connect() {
              on("split.message", message -> { send(message.getString("text")); return io.vertx.core.Future.succeededFuture(); });
              return channelLayer().groupAdd(param("group"), channelName()).onSuccess(v -> accept());
            }
          }
        }
        """);
    Map<String, String> env = SwitchboardProcess.clusterEnv(3);
    SwitchboardProcess a = start("split-a", with(env, "a"), "gateway", "consumers", "--cluster", "--app", app.toString());
    int portA = a.awaitReady();
    SwitchboardProcess b = start("split-b", env, "gateway", "--cluster");
    int portB = b.awaitReady();
    SwitchboardProcess c = start("split-c", with(env, "c"), "gateway", "consumers", "--cluster", "--app", app.toString());
    int portC = c.awaitReady();
    vertx = Vertx.vertx();
    client = vertx.createWebSocketClient();
    http = WebClient.create(vertx);
    a.awaitClusterSize(vertx, portA, 3);
    c.awaitClusterSize(vertx, portC, 3);

    // one member per node: the socket's channel belongs to the gateway that holds it
    Map<String, List<String>> received = new LinkedHashMap<>();
    CompletableFuture<String> closed = new CompletableFuture<>();
    for (var socketAt : Map.of("a", new int[] {portA}, "b", new int[] {portB}, "c", new int[] {portC}).entrySet()) {
      // A's and C's gateways serve their own node's route; B's serves A's
      String route = "/ws/split/" + ("c".equals(socketAt.getKey()) ? "c" : "a") + "/" + GROUP;
      List<String> texts = new CopyOnWriteArrayList<>();
      WebSocket socket = connect(socketAt.getValue()[0], route);
      socket.textMessageHandler(texts::add);
      socket.closeHandler(v -> closed.complete(socketAt.getKey() + " " + socket.closeStatusCode()));
      received.put(socketAt.getKey(), texts);
    }
    received = new TreeMap<>(received);
    awaitReceived(portA, "a", received.get("c"), "before-a", 30_000);
    awaitReceived(portC, "c", received.get("a"), "before-c", 30_000);
    assertMemberListsAgree(Map.of("a", portA, "b", portB, "c", portC), 3, 30_000);

    signal(c, "STOP");
    awaitClusterNodes(portA, 2, 60_000);
    awaitStatus(portB, "/split/c/send/" + GROUP + "?text=while-split", 404, 30_000); // B dropped C's routes
    signal(c, "CONT");
    awaitClusterNodes(portA, 3, 120_000);
    awaitClusterNodes(portC, 3, 120_000);

    // (a) C learns A's and B's members again: a group send issued on C reaches the sockets A and B hold
    awaitReceived(portC, "c", received.get("a"), "after-c", 90_000);
    awaitReceived(portC, "c", received.get("b"), "after-c", 90_000);
    // and A learns C's members again
    awaitReceived(portA, "a", received.get("c"), "after-a", 90_000);
    // (d) C's routes are served through B's gateway again (C re-announced them when it came back)
    awaitStatus(portB, "/split/c/send/" + GROUP + "?text=via-b", 200, 30_000);
    // (c) every node lists the same members
    assertMemberListsAgree(Map.of("a", portA, "b", portB, "c", portC), 3, 30_000);

    // (b) exactly once: each message reaches each of the three members once, whichever node sends it
    int perSender = 20;
    Map<String, Integer> sendPorts = Map.of("a", portA, "c", portC);
    List<String> sent = new ArrayList<>();
    for (int i = 0; i < perSender; i++) {
      for (var sender : sendPorts.entrySet()) {
        String text = "once-" + sender.getKey() + "-" + i;
        JsonObject report = get(sender.getValue(), "/split/" + sender.getKey() + "/send/" + GROUP + "?text=" + text)
            .bodyAsJsonObject();
        assertEquals(3, report.getInteger("delivered"), "members delivered by the send of " + text + ": " + report);
        sent.add(text);
      }
    }
    for (var sender : sendPorts.entrySet()) { // after the others on each path: what arrives twice arrives before it
      get(sender.getValue(), "/split/" + sender.getKey() + "/send/" + GROUP + "?text=fence-" + sender.getKey());
    }
    for (var member : received.entrySet()) {
      List<String> texts = member.getValue();
      Eventually.eventually(vertx, 30_000, () -> io.vertx.core.Future.succeededFuture(
          texts.contains("fence-a") && texts.contains("fence-c"))).await();
      Map<String, Long> counts = texts.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
      for (String text : sent) {
        assertEquals(1L, counts.getOrDefault(text, 0L), "deliveries of " + text + " to the socket on node " + member.getKey());
      }
      Set<String> twice = counts.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).collect(Collectors.toSet());
      assertTrue(twice.isEmpty(), "delivered more than once to the socket on node " + member.getKey() + ": " + twice);
    }
    assertTrue(!closed.isDone(), "a socket was closed (" + closed.getNow(null) + "): its client would have had to reconnect");
  }

  private static Map<String, String> with(Map<String, String> env, String node) {
    Map<String, String> copy = new HashMap<>(env);
    copy.put("SPLIT_NODE", node);
    return copy;
  }

  /** Connects once that gateway serves the route (a node's own announcement reaches its table just after ready). */
  private WebSocket connect(int port, String path) throws Exception {
    long deadline = System.currentTimeMillis() + 30_000;
    while (true) {
      try {
        return client.connect(port, "127.0.0.1", path).await();
      } catch (Exception e) {
        if (System.currentTimeMillis() > deadline) {
          throw e;
        }
        Thread.sleep(250); // polling the route, as RouteProbe does
      }
    }
  }

  private SwitchboardProcess start(String name, Map<String, String> env, String... args) throws Exception {
    SwitchboardProcess process = SwitchboardProcess.start(name, env, args);
    processes.add(process);
    return process;
  }

  private HttpResponse<Buffer> get(int port, String path) {
    HttpResponse<Buffer> response = http.get(port, "127.0.0.1", path).timeout(10_000).send().await();
    assertEquals(200, response.statusCode(), path + ": " + response.bodyAsString());
    return response;
  }

  /** Sends "{prefix}-N" through node {@code node}'s route every half second until the socket has received one. */
  private void awaitReceived(int port, String node, List<String> received, String prefix, long timeoutMs) throws Exception {
    long deadline = System.currentTimeMillis() + timeoutMs;
    String last = "";
    while (System.currentTimeMillis() < deadline) {
      if (received.stream().anyMatch(text -> text.startsWith(prefix + "-"))) {
        return;
      }
      try {
        HttpResponse<Buffer> response = http.get(port, "127.0.0.1", "/split/" + node + "/send/" + GROUP + "?text=" + prefix + "-" + probes++)
            .timeout(5_000).send().await();
        last = response.statusCode() + " " + response.bodyAsString();
      } catch (Exception e) {
        last = e.toString();
      }
      Thread.sleep(500); // the pace of the probe messages, not a wait for an outcome
    }
    throw new AssertionError("no '" + prefix + "' message sent on node " + node + " reached the socket; received "
        + received + "; last send: " + last);
  }

  /** Polls {@code path} until it answers {@code status}. */
  private void awaitStatus(int port, String path, int status, long timeoutMs) throws Exception {
    long deadline = System.currentTimeMillis() + timeoutMs;
    String last = "";
    while (System.currentTimeMillis() < deadline) {
      try {
        HttpResponse<Buffer> response = http.get(port, "127.0.0.1", path).timeout(5_000).send().await();
        if (response.statusCode() == status) {
          return;
        }
        last = response.statusCode() + " " + response.bodyAsString();
      } catch (Exception e) {
        last = e.toString();
      }
      Thread.sleep(250); // polling the route table
    }
    throw new AssertionError(path + " on port " + port + " never answered " + status + "; last: " + last);
  }

  /**
   * Polls {@code GET /api/channels/groups/room} on every node until each lists {@code count} members and all list the
   * same ones (node and join time; the API never shows channel names).
   */
  private void assertMemberListsAgree(Map<String, Integer> ports, int count, long timeoutMs) throws Exception {
    long deadline = System.currentTimeMillis() + timeoutMs;
    Map<String, Object> lists = new TreeMap<>();
    while (System.currentTimeMillis() < deadline) {
      lists.clear();
      for (var node : ports.entrySet()) {
        try {
          JsonObject body = http.get(node.getValue(), "127.0.0.1", "/api/channels/groups/" + GROUP).timeout(5_000).send().await()
              .bodyAsJsonObject();
          JsonArray members = body.getJsonArray("members");
          lists.put(node.getKey(), members.stream().map(JsonObject.class::cast)
              .map(m -> m.getString("node") + "@" + m.getLong("joinedAt")).sorted().toList());
        } catch (Exception e) {
          lists.put(node.getKey(), e.toString());
        }
      }
      Object first = lists.values().iterator().next();
      if (first instanceof List<?> list && list.size() == count && lists.values().stream().allMatch(first::equals)
          && ((List<?>) first).stream().map(m -> m.toString().split("@")[0]).distinct().count() == count) {
        return;
      }
      Thread.sleep(250); // polling the listings
    }
    throw new AssertionError("the nodes' member lists of '" + GROUP + "' differ or miss members: " + lists);
  }

  private void awaitClusterNodes(int port, int nodes, long timeoutMs) throws Exception {
    long deadline = System.currentTimeMillis() + timeoutMs;
    int seen = -1;
    while (System.currentTimeMillis() < deadline) {
      try {
        var health = http.get(port, "127.0.0.1", "/health").timeout(5_000).send().await().bodyAsJsonObject();
        seen = health.getJsonArray("checks").stream().map(JsonObject.class::cast)
            .filter(check -> "cluster".equals(check.getString("id"))).findFirst()
            .map(check -> check.getJsonObject("data").getInteger("nodes", 0)).orElse(0);
        if (seen == nodes) {
          return;
        }
      } catch (Exception e) {
        seen = -1;
      }
      Thread.sleep(250); // polling /health
    }
    throw new AssertionError("the node on port " + port + " saw " + seen + " cluster nodes, expected " + nodes);
  }

  private static void signal(SwitchboardProcess process, String signal) throws Exception {
    if (process.isAlive()) {
      new ProcessBuilder("kill", "-" + signal, String.valueOf(process.handle().pid())).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
    }
  }
}

package dev.switchboard.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Hazelcast split and merge, made the way it happens in production and without Hazelcast's internals: three
 * node JVMs from the built jar; {@code kill -STOP} of one (a long GC pause, a frozen VM) until the others declare it
 * dead (cluster.xml: heartbeat 1 s, dead after 5 s) and drop its group members, then {@code kill -CONT}, and
 * Hazelcast merges it back (merge runs every 10 s). The members it holds must be learned again by the others, so a
 * group send from another node reaches them, without their clients reconnecting.
 *
 * <p>Node A runs an app whose HTTP consumer sends to a group ({@code GET /split/send/{group}?text=}); node C runs an
 * app whose WebSocket consumer joins that group and forwards its messages; node B is a gateway, so that C is the
 * minority that merges into A and B.
 */
@DisplayName("After a cluster split and merge, group members on the node that came back are reached again")
class SplitMergeIT {

  private final List<SwitchboardProcess> processes = new ArrayList<>();
  private Vertx vertx;
  // a field: Vert.x closes an unreachable client (a Cleaner), and with it the sockets and requests using it
  private WebSocketClient client;

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
  @DisplayName("kill -STOP of the node holding the sockets until the others drop it, kill -CONT: a group send from another node reaches them again, same sockets")
  void membersRelearnedAfterMerge(@TempDir Path dir) throws Exception {
    Path sender = AppJar.build(dir.resolve("sender"), "SplitSender", """
        package testapp;
        public final class SplitSender implements dev.switchboard.api.SwitchboardApp {
          public String name() { return "split-sender"; }
          public void configure(dev.switchboard.api.AppBuilder app) {
            app.http("/split/send/:group", Send::new);
          }
          public static final class Send extends dev.switchboard.api.http.HttpConsumer {
            protected io.vertx.core.Future<Void> handle(dev.switchboard.api.http.HttpRequest request) {
              return channelLayer().groupSend(request.param("group"), new io.vertx.core.json.JsonObject()
                      .put("type", "split.message").put("text", request.queryParam("text")))
                  .compose(report -> sendJson(200, report.toJson()));
            }
          }
        }
        """);
    Path listener = AppJar.build(dir.resolve("listener"), "SplitListener", """
        package testapp;
        public final class SplitListener implements dev.switchboard.api.SwitchboardApp {
          public String name() { return "split-listener"; }
          public void configure(dev.switchboard.api.AppBuilder app) {
            app.websocket("/ws/split/:group", Listen::new);
          }
          public static final class Listen extends dev.switchboard.api.consumers.WebsocketConsumer {
            protected io.vertx.core.Future<Void> connect() {
              on("split.message", message -> { send(message.getString("text")); return io.vertx.core.Future.succeededFuture(); });
              return channelLayer().groupAdd(param("group"), channelName()).onSuccess(v -> accept());
            }
          }
        }
        """);
    Map<String, String> env = new HashMap<>(SwitchboardProcess.clusterEnv(3));
    SwitchboardProcess a = start("split-a", env, "gateway", "consumers", "--cluster", "--app", sender.toString());
    int portA = a.awaitReady();
    SwitchboardProcess b = start("split-b", env, "gateway", "--cluster");
    b.awaitReady();
    SwitchboardProcess c = start("split-c", env, "gateway", "consumers", "--cluster", "--app", listener.toString());
    int portC = c.awaitReady();
    vertx = Vertx.vertx();
    client = vertx.createWebSocketClient();
    a.awaitClusterSize(vertx, portA, 3);
    WebClient http = WebClient.create(vertx);

    List<String> received = new CopyOnWriteArrayList<>();
    WebSocket socket = connect(portC, "/ws/split/room");
    socket.textMessageHandler(received::add);
    CompletableFuture<Short> closed = new CompletableFuture<>();
    socket.closeHandler(v -> closed.complete(socket.closeStatusCode()));

    awaitReceived(http, portA, received, "before", 30_000);

    signal(c, "STOP");
    awaitClusterNodes(http, portA, 2, 60_000);
    signal(c, "CONT");
    awaitClusterNodes(http, portA, 3, 120_000);

    awaitReceived(http, portA, received, "after", 90_000);
    assertTrue(!closed.isDone(), "the socket was closed (" + closed.getNow(null) + "): its client would have had to reconnect");
  }

  /** Connects once node C's gateway serves the route (its own announcement reaches its route table just after ready). */
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

  /** Sends "{prefix}-N" through node A every half second until the socket has received one of them. */
  private static void awaitReceived(WebClient http, int port, List<String> received, String prefix, long timeoutMs) throws Exception {
    long deadline = System.currentTimeMillis() + timeoutMs;
    String last = "";
    for (int i = 0; System.currentTimeMillis() < deadline; i++) {
      if (received.stream().anyMatch(text -> text.startsWith(prefix + "-"))) {
        return;
      }
      try {
        HttpResponse<io.vertx.core.buffer.Buffer> response = http.get(port, "127.0.0.1", "/split/send/room?text=" + prefix + "-" + i)
            .timeout(5_000).send().await();
        last = response.statusCode() + " " + response.bodyAsString();
      } catch (Exception e) {
        last = e.toString();
      }
      Thread.sleep(500); // the pace of the probe messages, not a wait for an outcome
    }
    throw new AssertionError("no '" + prefix + "' message reached the socket on the node that came back; received "
        + received + "; last send: " + last);
  }

  private static void awaitClusterNodes(WebClient http, int port, int nodes, long timeoutMs) throws Exception {
    long deadline = System.currentTimeMillis() + timeoutMs;
    int seen = -1;
    while (System.currentTimeMillis() < deadline) {
      try {
        var health = http.get(port, "127.0.0.1", "/health").timeout(5_000).send().await().bodyAsJsonObject();
        seen = health.getJsonArray("checks").stream().map(io.vertx.core.json.JsonObject.class::cast)
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
    throw new AssertionError("node A saw " + seen + " cluster nodes, expected " + nodes);
  }

  private static void signal(SwitchboardProcess process, String signal) throws Exception {
    if (process.isAlive()) {
      new ProcessBuilder("kill", "-" + signal, String.valueOf(process.handle().pid())).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
    }
  }
}

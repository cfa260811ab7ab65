package dev.switchboard.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.shared.config.PgSettings;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.embedded.RedisServer;

/**
 * Faults under a steady stream of tasks and chat messages, on six JVMs from the jar, one role each and two of each
 * role (gateways, consumers nodes, workers), on a Redis (AOF, fsync always) and a PostgreSQL of the test's own. In
 * turn: a gateway, a consumers node and a worker are killed with -9, then Redis is restarted, then PostgreSQL.
 * Afterwards every task accepted with 202 has succeeded, every message acknowledged with 201 is in the room's
 * history, and the survivors, never restarted, serve again.
 */
@DisplayName("Nothing accepted is lost when a gateway, a consumers node and a worker are killed in turn and Redis and PostgreSQL restart under load")
class FaultUnderLoadIT {

  private static final String ROOM = "fault";
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final Set<String> tasks = ConcurrentHashMap.newKeySet();
  private final Set<Long> messages = ConcurrentHashMap.newKeySet();
  private final AtomicInteger refused = new AtomicInteger();
  private final Object progress = new Object();
  private final List<SwitchboardProcess> nodes = new java.util.ArrayList<>();
  private RedisServer redis;
  private EmbeddedPostgres postgres;

  @AfterEach
  void stop() throws Exception {
    for (SwitchboardProcess node : nodes) {
      node.close();
    }
    if (redis != null) {
      redis.stop();
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  @Timeout(value = 600, unit = TimeUnit.SECONDS)
  @DisplayName("kill -9 of a gateway, then of a consumers node, then of a worker, then a Redis restart, then a PostgreSQL restart: "
      + "every 202 task succeeds, every 201 message is kept")
  void faultsUnderLoad() throws Exception {
    int redisPort = freePort();
    Path redisDir = Files.createDirectories(Path.of("target", "fault-redis-" + UUID.randomUUID()).toAbsolutePath());
    redis = startRedis(redisPort, redisDir);
    PgSettings pg = PgSettings.fromJson(new JsonObject().put("pg", new JsonObject()
        .put("embeddedDir", "target/fault-pg-" + UUID.randomUUID()).put("embeddedPort", freePort())));
    postgres = EmbeddedPostgres.start(pg);
    Map<String, String> env = new HashMap<>(SwitchboardProcess.clusterEnv(6));
    env.put("SWITCHBOARD_REDIS_URL", "redis://127.0.0.1:" + redisPort);
    env.put("SWITCHBOARD_PG_URL", postgres.url());
    env.put("SWITCHBOARD_TASKS_VISIBILITY_TIMEOUT_MS", "3000");
    List<String> roles = List.of("gateway", "gateway", "consumers", "consumers", "worker", "worker");
    for (int i = 0; i < roles.size(); i++) {
      nodes.add(SwitchboardProcess.start("fault-" + roles.get(i) + "-" + (i % 2 + 1), env, roles.get(i), "--cluster"));
    }
    List<Integer> ports = new java.util.ArrayList<>();
    for (SwitchboardProcess node : nodes) {
      ports.add(node.awaitReady());
    }
    int gateway1 = ports.get(0);
    int gateway2 = ports.get(1);
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    try {
      nodes.get(0).awaitClusterSize(vertx, gateway1, roles.size());
    } finally {
      vertx.close();
    }

    AtomicBoolean running = new AtomicBoolean(true);
    Thread load = new Thread(() -> load(List.of(gateway1, gateway2), running), "fault-load");
    load.start();
    try {
      awaitAccepted(30);
      for (int killed : new int[] {1, 3, 5}) { // the second gateway, consumers node and worker
        System.out.printf("fault test: kill -9 of %s at %d tasks, %d messages%n", roles.get(killed), tasks.size(), messages.size());
        nodes.get(killed).kill();
        awaitAccepted(30);
      }
      System.out.printf("fault test: Redis restart at %d tasks, %d messages%n", tasks.size(), messages.size());
      redis.stop();
      redis = startRedis(redisPort, redisDir);
      awaitAccepted(30);
      System.out.printf("fault test: PostgreSQL restart at %d tasks, %d messages%n", tasks.size(), messages.size());
      postgres.close();
      postgres = EmbeddedPostgres.start(pg);
      awaitAccepted(30);
    } finally {
      running.set(false);
      load.join(30_000);
    }
    int portA = gateway1;
    int acceptedTasks = tasks.size();
    int acknowledged = messages.size();
    Set<String> unfinished = new HashSet<>(tasks);
    long deadline = System.currentTimeMillis() + 120_000;
    while (!unfinished.isEmpty() && System.currentTimeMillis() < deadline) {
      unfinished.removeIf(id -> "SUCCESS".equals(state(portA, id)));
      if (!unfinished.isEmpty()) {
        Thread.sleep(500); // polling the task API's state: it has no push to wait on from here
      }
    }
    Set<Long> stored = history(portA);
    Set<Long> lost = new HashSet<>(messages);
    lost.removeAll(stored);
    System.out.printf("fault test: %d tasks accepted (202), %d not SUCCESS; %d messages acknowledged (201), %d missing "
        + "from history; %d requests refused or failed during the faults%n", acceptedTasks, unfinished.size(), acknowledged,
        lost.size(), refused.get());
    assertEquals(Set.of(), unfinished, "tasks accepted with 202 that did not succeed");
    assertEquals(Set.of(), lost, "messages acknowledged with 201 missing from the history");
    assertTrue(acceptedTasks >= 60 && acknowledged >= 60, acceptedTasks + " tasks, " + acknowledged + " messages");
    assertEquals(202, post(portA, "/api/tasks/add", new JsonObject().put("args", new JsonArray().add(1).add(1))).statusCode(),
        "the survivor serves again");
  }

  /**
   * Alternates a task and a chat message, each pair on the next live gateway, until stopped (at most 100,000
   * requests); a gateway that refuses the connection is dropped from the rotation (it was killed).
   */
  private void load(List<Integer> gateways, AtomicBoolean running) {
    List<Integer> ports = new java.util.ArrayList<>(gateways);
    for (int i = 0; running.get() && i < 100_000 && !ports.isEmpty(); i++) {
      int port = ports.get((i / 2) % ports.size());
      try {
        if (i % 2 == 0) {
          HttpResponse<String> response = post(port, "/api/tasks/add", new JsonObject().put("args", new JsonArray().add(i).add(1)));
          if (response.statusCode() == 202) {
            tasks.add(new JsonObject(response.body()).getString("id"));
          } else {
            refused.incrementAndGet();
          }
        } else {
          HttpResponse<String> response = post(port, "/api/rooms/" + ROOM + "/messages", new JsonObject().put("message", "m" + i));
          if (response.statusCode() == 201) {
            messages.add(new JsonObject(response.body()).getLong("id"));
          } else {
            refused.incrementAndGet();
          }
        }
      } catch (java.net.ConnectException e) {
        refused.incrementAndGet(); // that gateway is down: not accepted, not counted
        if (ports.size() > 1) {
          ports.remove(Integer.valueOf(port));
        }
      } catch (IOException e) {
        refused.incrementAndGet(); // cut off mid-request: not acknowledged, so not counted
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      synchronized (progress) {
        progress.notifyAll();
      }
    }
  }

  /** Waits until {@code more} tasks and {@code more} messages beyond the current counts have been accepted. */
  private void awaitAccepted(int more) throws InterruptedException {
    int tasksWanted = tasks.size() + more;
    int messagesWanted = messages.size() + more;
    long deadline = System.currentTimeMillis() + 90_000;
    synchronized (progress) {
      while ((tasks.size() < tasksWanted || messages.size() < messagesWanted) && System.currentTimeMillis() < deadline) {
        progress.wait(1000);
      }
    }
    assertTrue(tasks.size() >= tasksWanted && messages.size() >= messagesWanted,
        "the load stalled: " + tasks.size() + " tasks, " + messages.size() + " messages");
  }

  private HttpResponse<String> post(int port, String path, JsonObject body) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private String state(int port, String id) {
    try {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/tasks/" + id))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? new JsonObject(response.body()).getString("state") : "HTTP " + response.statusCode();
    } catch (IOException e) {
      return e.toString();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  /** Every message id of the room, paging back with {@code before}. */
  private Set<Long> history(int port) throws IOException, InterruptedException {
    Set<Long> ids = new HashSet<>();
    String before = "";
    for (int page = 0; page < 1000; page++) {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/rooms/" + ROOM
          + "/messages?limit=200" + before)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, response.statusCode(), response.body());
      JsonObject body = new JsonObject(response.body());
      body.getJsonArray("messages").forEach(m -> ids.add(((JsonObject) m).getLong("id")));
      Object next = body.getValue("next");
      if (next == null) {
        return ids;
      }
      before = "&before=" + next;
    }
    return ids;
  }

  private static RedisServer startRedis(int port, Path dir) throws IOException {
    RedisServer server = RedisServer.newRedisServer().bind("127.0.0.1").port(port)
        .setting("appendonly yes").setting("appendfsync always").setting("save \"\"").setting("dir " + dir).build();
    server.start();
    return server;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}

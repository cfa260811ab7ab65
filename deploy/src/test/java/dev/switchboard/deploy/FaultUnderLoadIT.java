package dev.switchboard.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.api.tasks.TaskOptions;
import dev.switchboard.shared.config.PgSettings;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Faults under a steady stream of tasks and chat messages, on six JVMs from the jar, one role each and two of each
 * role (gateways, consumers nodes, workers), on a Redis (AOF, fsync always) and a PostgreSQL of the test's own. In
 * turn: a gateway, a consumers node and a worker are killed with -9, then Redis is restarted, then PostgreSQL.
 * Afterwards every task accepted with 202 has succeeded with the right result in at most {@code max_deliveries}
 * deliveries, every message acknowledged with 201 is in the room's history, and the survivors, never restarted, serve
 * again (a task, and a chat round trip over WebSocket). No request is ever answered 500; before the first fault none
 * is refused at all, and during the faults a refusal is the dead gateway's connection or a 502-504 saying why. One
 * summary line gives the counts of each phase.
 */
@DisplayName("Nothing accepted is lost when a gateway, a consumers node and a worker are killed in turn and Redis and PostgreSQL restart under load")
class FaultUnderLoadIT {

  private static final String ROOM = "fault";
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  /** Each task accepted with 202: its id and the result {@code add(i, 1)} must have. */
  private final Map<String, Long> tasks = new ConcurrentHashMap<>();
  private final Set<Long> messages = ConcurrentHashMap.newKeySet();
  private final List<Phase> phases = new java.util.concurrent.CopyOnWriteArrayList<>();
  private volatile Phase phase;
  private final Object progress = new Object();
  private final List<SwitchboardProcess> nodes = new java.util.ArrayList<>();
  private EmbeddedRedis redis;
  private EmbeddedPostgres postgres;

  /**
   * What the load saw during one phase: the tasks and messages accepted in it, and its refusals by HTTP status
   * (or {@code connect} when the gateway refused the connection, {@code cut} when it was cut off mid-request).
   */
  private static final class Phase {
    final String name;
    final Set<String> tasks = ConcurrentHashMap.newKeySet();
    final Set<Long> messages = ConcurrentHashMap.newKeySet();
    final Map<String, AtomicInteger> refusals = new ConcurrentSkipListMap<>();
    /** The reason given by each 5xx status other than 500, the first one seen. */
    final Map<Integer, String> reasons = new ConcurrentSkipListMap<>();
    /** 500s, with their body: each one fails the test. */
    final List<String> internalErrors = new java.util.concurrent.CopyOnWriteArrayList<>();
    int succeeded;
    int kept;

    Phase(String name) {
      this.name = name;
    }

    void refused(String why) {
      refusals.computeIfAbsent(why, k -> new AtomicInteger()).incrementAndGet();
    }

    String summary() {
      StringBuilder refused = new StringBuilder();
      refusals.forEach((why, count) -> refused.append(refused.isEmpty() ? "" : " ").append(why).append('x').append(count.get()));
      return String.format("%s: tasks %d/%d, messages %d/%d, refused {%s}", name, succeeded, tasks.size(), kept,
          messages.size(), refused);
    }
  }

  @AfterEach
  void stop() throws Exception {
    for (SwitchboardProcess node : nodes) {
      node.close();
    }
    if (redis != null) {
      redis.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  @Timeout(value = 600, unit = TimeUnit.SECONDS)
  @DisplayName("kill -9 of a gateway, then of a consumers node, then of a worker, then a Redis restart, then a PostgreSQL restart: "
      + "every 202 task succeeds with the right result within max_deliveries, every 201 message is kept, no 500, and the "
      + "surviving gateway serves a chat round trip")
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
    List<Integer> ports = new java.util.ArrayList<>();
    for (int i = 0; i < roles.size(); i++) { // one at a time: six JVMs starting at once on a shared 2-core machine miss the 60 s
      nodes.add(SwitchboardProcess.start("fault-" + roles.get(i) + "-" + (i % 2 + 1), env, roles.get(i), "--cluster"));
      ports.add(nodes.get(i).awaitReady());
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
    enter("steady");
    Thread load = new Thread(() -> load(List.of(gateway1, gateway2), running), "fault-load");
    load.start();
    try {
      awaitAccepted(30);
      String[] what = {"gateway", "consumers", "worker"};
      int[] killed = {1, 3, 5}; // the second gateway, consumers node and worker
      for (int i = 0; i < killed.length; i++) {
        enter(what[i] + " killed");
        nodes.get(killed[i]).kill();
        awaitAccepted(30);
      }
      enter("Redis restart");
      redis.close();
      redis = startRedis(redisPort, redisDir);
      awaitAccepted(30);
      enter("PostgreSQL restart");
      postgres.close();
      postgres = EmbeddedPostgres.start(pg);
      awaitAccepted(30);
    } finally {
      running.set(false);
      load.join(30_000);
    }
    int portA = gateway1;
    Map<String, JsonObject> outcomes = awaitOutcomes(portA, 120_000);
    Set<Long> stored = history(portA);
    Map<String, String> wrong = new java.util.TreeMap<>();
    tasks.forEach((id, expected) -> {
      JsonObject task = outcomes.get(id);
      if (task == null || !"SUCCESS".equals(task.getString("state")) || !Long.valueOf(expected).equals(asLong(task.getValue("result")))
          || task.getInteger("deliveries", 0) > TaskOptions.DEFAULT_MAX_DELIVERIES) {
        wrong.put(id, "add = " + expected + ": " + (task == null ? "not finished" : task.encode()));
      }
    });
    for (Phase each : phases) {
      each.succeeded = (int) each.tasks.stream().filter(id -> !wrong.containsKey(id)).count();
      each.kept = (int) each.messages.stream().filter(stored::contains).count();
    }
    Set<Long> lost = new HashSet<>(messages);
    lost.removeAll(stored);
    String chat = chatRoundTrip(portA);
    StringBuilder summary = new StringBuilder("fault test summary (accepted tasks that succeeded/accepted with 202, "
        + "messages kept/acknowledged with 201, refusals by status; 502-504 only during a fault, with the reason given): ");
    phases.forEach(each -> summary.append(each.summary()).append("; "));
    summary.append("after: ").append(chat);
    System.out.println(summary);
    phases.forEach(each -> System.out.println("fault test " + each.name + ": 5xx reasons " + each.reasons));

    List<String> internalErrors = phases.stream().flatMap(each -> each.internalErrors.stream().map(body -> each.name + ": " + body)).toList();
    assertEquals(List.of(), internalErrors, "500s answered during the faults");
    for (Phase each : phases) {
      // before the first fault nothing is refused; during one, only a gateway that is down or a 502-504 that says why
      List<String> unexpected = each.refusals.keySet().stream()
          .filter(why -> each == phases.get(0) || !why.matches("50[234]|connect|cut")).toList();
      assertEquals(List.of(), unexpected, "refusals that are not a fault's in phase " + each.name + ": " + each.summary());
    }
    assertEquals(Map.of(), wrong, "tasks accepted with 202 that did not succeed with the right result within "
        + TaskOptions.DEFAULT_MAX_DELIVERIES + " deliveries");
    assertEquals(Set.of(), lost, "messages acknowledged with 201 missing from the history");
    assertTrue(tasks.size() >= 180 && messages.size() >= 180, tasks.size() + " tasks, " + messages.size() + " messages");
    assertEquals(202, post(portA, "/api/tasks/add", new JsonObject().put("args", new JsonArray().add(1).add(1))).statusCode(),
        "the survivor serves again");
  }

  private void enter(String name) {
    Phase next = new Phase(name);
    phases.add(next);
    phase = next;
    System.out.printf("fault test: %s at %d tasks, %d messages%n", name, tasks.size(), messages.size());
  }

  /**
   * Alternates a task and a chat message, each pair on the next live gateway, until stopped (at most 100,000
   * requests); a gateway that refuses the connection is dropped from the rotation (it was killed).
   */
  private void load(List<Integer> gateways, AtomicBoolean running) {
    List<Integer> ports = new java.util.ArrayList<>(gateways);
    for (int i = 0; running.get() && i < 100_000 && !ports.isEmpty(); i++) {
      int port = ports.get((i / 2) % ports.size());
      Phase now = phase;
      try {
        if (i % 2 == 0) {
          HttpResponse<String> response = post(port, "/api/tasks/add", new JsonObject().put("args", new JsonArray().add(i).add(1)));
          if (response.statusCode() == 202) {
            String id = new JsonObject(response.body()).getString("id");
            tasks.put(id, i + 1L);
            now.tasks.add(id);
          } else {
            refused(now, response);
          }
        } else {
          HttpResponse<String> response = post(port, "/api/rooms/" + ROOM + "/messages", new JsonObject().put("message", "m" + i));
          if (response.statusCode() == 201) {
            long id = new JsonObject(response.body()).getLong("id");
            messages.add(id);
            now.messages.add(id);
          } else {
            refused(now, response);
          }
        }
      } catch (java.net.ConnectException e) {
        now.refused("connect"); // that gateway is down: not accepted, not counted
        if (ports.size() > 1) {
          ports.remove(Integer.valueOf(port));
        }
      } catch (IOException e) {
        now.refused("cut"); // cut off mid-request: not acknowledged, so not counted
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      synchronized (progress) {
        progress.notifyAll();
      }
    }
  }

  /** Counts a refusal by its status; a 5xx must say why in its {@code error} (a 500 is recorded as a failure). */
  private static void refused(Phase now, HttpResponse<String> response) {
    int status = response.statusCode();
    now.refused(String.valueOf(status));
    if (status == 500) {
      now.internalErrors.add(response.body());
    } else if (status >= 500) {
      String error;
      try {
        error = new JsonObject(response.body()).getString("error", "");
      } catch (RuntimeException e) {
        error = "";
      }
      if (error.isBlank()) {
        now.internalErrors.add(status + " without a reason: " + response.body());
      }
      now.reasons.putIfAbsent(status, error);
    }
  }

  /** Polls the task API until every accepted task has an outcome or the time is up; the last snapshot of each. */
  private Map<String, JsonObject> awaitOutcomes(int port, long millis) throws InterruptedException {
    Map<String, JsonObject> outcomes = new HashMap<>();
    long deadline = System.currentTimeMillis() + millis;
    while (outcomes.size() < tasks.size() && System.currentTimeMillis() < deadline) {
      for (String id : tasks.keySet()) {
        if (!outcomes.containsKey(id)) {
          JsonObject task = task(port, id);
          if (task != null && List.of("SUCCESS", "FAILURE", "REVOKED").contains(task.getString("state"))) {
            outcomes.put(id, task);
          }
        }
      }
      if (outcomes.size() < tasks.size()) {
        Thread.sleep(500); // polling the task API's state: it has no push to wait on from here
      }
    }
    return outcomes;
  }

  private JsonObject task(int port, String id) {
    try {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/tasks/" + id))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? new JsonObject(response.body()) : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private static Long asLong(Object value) {
    return value instanceof Number number ? Long.valueOf(number.longValue()) : null;
  }

  /**
   * Joins the room on {@code port} over WebSocket, sends a message and waits for it to come back live (after the
   * history), stored (with an id): the chat path through the surviving gateway, consumers node and PostgreSQL.
   */
  private String chatRoundTrip(int port) throws Exception {
    String text = "after-faults-" + UUID.randomUUID();
    CompletableFuture<JsonObject> echoed = new CompletableFuture<>();
    AtomicInteger history = new AtomicInteger();
    WebSocket socket = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
        .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws/chat/" + ROOM), new WebSocket.Listener() {
          private final StringBuilder frame = new StringBuilder();

          @Override
          public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            frame.append(data);
            if (last) {
              JsonObject json = new JsonObject(frame.toString());
              frame.setLength(0);
              if (json.getBoolean("history", false)) {
                history.incrementAndGet();
              } else if (text.equals(json.getString("message"))) {
                echoed.complete(json);
              }
            }
            webSocket.request(1);
            return null;
          }

          @Override
          public CompletionStage<?> onClose(WebSocket webSocket, int code, String reason) {
            echoed.completeExceptionally(new AssertionError("chat socket closed " + code + " " + reason));
            return null;
          }

          @Override
          public void onError(WebSocket webSocket, Throwable error) {
            echoed.completeExceptionally(error);
          }
        }).get(20, TimeUnit.SECONDS);
    try {
      socket.sendText(new JsonObject().put("message", text).encode(), true).get(10, TimeUnit.SECONDS);
      JsonObject back = echoed.get(30, TimeUnit.SECONDS);
      assertEquals(ROOM, back.getString("room"), back.encode());
      assertTrue(back.getValue("id") != null, "the round-trip message was not stored: " + back.encode());
      return "chat round trip ok (" + history.get() + " history frames, then the message back with id " + back.getValue("id") + ")";
    } finally {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").exceptionally(err -> null);
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

  private static EmbeddedRedis startRedis(int port, Path dir) throws IOException {
    return EmbeddedRedis.start(port, List.of("appendonly yes", "appendfsync always", "save \"\"", "dir " + dir));
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}

package dev.switchboard.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.api.AppBuilder;
import dev.switchboard.api.SwitchboardApp;
import dev.switchboard.api.tasks.PeriodicTask;
import dev.switchboard.gateway.GatewayVerticle;
import dev.switchboard.shared.apps.AppCatalog;
import dev.switchboard.shared.apps.AppException;
import dev.switchboard.shared.channels.ChannelLayerVerticle;
import dev.switchboard.shared.config.SwitchboardConfig;
import dev.switchboard.shared.metrics.MetricNames;
import dev.switchboard.shared.metrics.SwitchboardMetrics;
import io.micrometer.core.instrument.Counter;
import dev.switchboard.shared.tasks.ScheduleTiming;
import dev.switchboard.worker.BeatVerticle;
import dev.switchboard.worker.WorkerVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("Periodic tasks over HTTP (/api/schedules), against a deployed gateway, worker and scheduler on real Redis")
class ScheduleApiTest {

  private static final String REDIS_URL = System.getenv().getOrDefault("SWITCHBOARD_TEST_REDIS_URL", "redis://127.0.0.1:6379");
  private static final int MAX_SCHEDULES = 3;

  private String namespace;
  private GatewayVerticle gateway;
  private HttpClient http;
  private int port;
  private DeploymentOptions options;
  private final List<String> deployments = new CopyOnWriteArrayList<>();

  @BeforeEach
  void deploy(Vertx vertx, VertxTestContext testContext) {
    namespace = "test-" + UUID.randomUUID().toString().substring(0, 8);
    JsonObject json = new JsonObject()
        .put("http", new JsonObject().put("port", 0).put("instances", 1).put("host", "127.0.0.1"))
        .put("redis", new JsonObject().put("url", REDIS_URL))
        .put("tasks", new JsonObject().put("namespace", namespace).put("schedulerIntervalMs", 20).put("pollIntervalMs", 100))
        .put("schedules", new JsonObject().put("max", MAX_SCHEDULES).put("tickMs", 200));
    options = new DeploymentOptions().setConfig(SwitchboardConfig.fromJson(json).toJson());
    gateway = GatewayVerticle.standalone();
    vertx.deployVerticle(ChannelLayerVerticle.standalone(), options).onSuccess(deployments::add)
        .compose(v -> vertx.deployVerticle(new WorkerVerticle(), options).onSuccess(deployments::add))
        .compose(v -> vertx.deployVerticle(BeatVerticle.standalone(List.of()), options).onSuccess(deployments::add))
        .compose(v -> vertx.deployVerticle(gateway, options).onSuccess(deployments::add))
        .onSuccess(v -> {
          port = gateway.actualPort();
          http = vertx.createHttpClient();
        })
        .onComplete(testContext.succeedingThenComplete());
  }

  @AfterEach
  void clean(Vertx vertx, VertxTestContext testContext) {
    Redis redis = Redis.createClient(vertx, REDIS_URL);
    Future.join(deployments.stream().map(vertx::undeploy).toList())
        .compose(v -> redis.send(Request.cmd(Command.EVAL)
            .arg("for _, k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', k) end return 1")
            .arg(0).arg("switchboard:" + namespace + ":*")))
        .eventually(redis::close)
        .onComplete(testContext.succeedingThenComplete());
  }

  private record Reply(int status, String location, Buffer body) {
    JsonObject json() {
      return body.toJsonObject();
    }
  }

  private Future<Reply> call(HttpMethod method, String path, String body) {
    return http.request(new RequestOptions().setMethod(method).putHeader("Content-Type", "application/json")
            .setHost("127.0.0.1").setPort(port).setURI(path))
        .compose(request -> body == null ? request.send() : request.send(body))
        .compose(response -> response.body().map(bytes -> new Reply(response.statusCode(), response.getHeader("Location"), bytes)));
  }

  /** GET /api/schedules until {@code name}'s last occurrence names a task, then that task until it succeeded. */
  private Future<JsonObject> awaitFirstRun(Vertx vertx, String name, int attemptsLeft) {
    return call(HttpMethod.GET, "/api/schedules", null).compose(reply -> {
      JsonObject entry = reply.json().getJsonArray("schedules").stream().map(JsonObject.class::cast)
          .filter(schedule -> name.equals(schedule.getString("name"))).findFirst().orElseThrow();
      JsonObject last = entry.getJsonObject("last");
      if (last != null) {
        return awaitSuccess(vertx, last.getString("id"), 100).map(task -> entry.put("task", task));
      }
      if (attemptsLeft <= 0) {
        return Future.failedFuture(new AssertionError("schedule " + name + " never ran: " + reply.body()));
      }
      return vertx.timer(50).compose(v -> awaitFirstRun(vertx, name, attemptsLeft - 1));
    });
  }

  /** GET /api/schedules until it names a leader (a lease lapsed under load is taken again within a tick). */
  private Future<Reply> awaitLeader(Vertx vertx, int attemptsLeft) {
    return call(HttpMethod.GET, "/api/schedules", null).compose(reply -> {
      if (reply.json().getString("leader") != null || attemptsLeft <= 0) {
        return Future.succeededFuture(reply);
      }
      return vertx.timer(50).compose(v -> awaitLeader(vertx, attemptsLeft - 1));
    });
  }

  private Future<JsonObject> awaitSuccess(Vertx vertx, String id, int attemptsLeft) {
    return call(HttpMethod.GET, "/api/tasks/" + id, null).compose(reply -> {
      if (reply.status() == 200 && "SUCCESS".equals(reply.json().getString("state"))) {
        return Future.succeededFuture(reply.json());
      }
      if (attemptsLeft <= 0) {
        return Future.failedFuture(new AssertionError("task " + id + " never succeeded: " + reply.body()));
      }
      return vertx.timer(50).compose(v -> awaitSuccess(vertx, id, attemptsLeft - 1));
    });
  }

  @Test
  @Timeout(30_000)
  @DisplayName("POST an every-1s schedule: 201 with its next run; it runs add(2, 3) with the occurrence's id; POST again 200; DELETE 200 then 404")
  void lifecycle(Vertx vertx, VertxTestContext testContext) {
    String body = "{\"name\":\"sum\",\"task\":\"add\",\"args\":[2,3],\"every\":\"1s\"}";
    long before = System.currentTimeMillis();
    call(HttpMethod.POST, "/api/schedules", body)
        .compose(created -> {
          testContext.verify(() -> {
            assertEquals(201, created.status(), created.body().toString());
            assertEquals("/api/schedules/sum", created.location());
            Instant next = Instant.parse(created.json().getString("next"));
            assertTrue(next.toEpochMilli() > before && next.toEpochMilli() <= System.currentTimeMillis() + 1000, next.toString());
            assertEquals(0, next.toEpochMilli() % 1000);
            assertNull(created.json().getValue("last"));
          });
          return awaitFirstRun(vertx, "sum", 400);
        })
        .compose(entry -> {
          testContext.verify(() -> {
            JsonObject task = entry.getJsonObject("task");
            assertEquals(5, task.getInteger("result"));
            String at = entry.getJsonObject("last").getString("at");
            assertEquals("sum:" + at, task.getString("id"));
            assertTrue(Instant.parse(at).toEpochMilli() > before, at);
          });
          return call(HttpMethod.POST, "/api/schedules", body);
        })
        .compose(replaced -> {
          testContext.verify(() -> assertEquals(200, replaced.status(), replaced.body().toString()));
          return call(HttpMethod.DELETE, "/api/schedules/sum", null);
        })
        .compose(removed -> {
          testContext.verify(() -> assertEquals(200, removed.status(), removed.body().toString()));
          return call(HttpMethod.DELETE, "/api/schedules/sum", null);
        })
        .compose(again -> {
          testContext.verify(() -> {
            assertEquals(404, again.status());
            assertTrue(again.json().getString("error").contains("sum"), again.body().toString());
          });
          return awaitLeader(vertx, 100);
        })
        .onComplete(testContext.succeeding(list -> testContext.verify(() -> {
          assertEquals(0, list.json().getJsonArray("schedules").size());
          assertEquals(MAX_SCHEDULES, list.json().getInteger("max"));
          assertTrue(list.json().getString("leader").startsWith("worker-"), list.body().toString());
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(20_000)
  @DisplayName("A cron schedule in a time zone: next is the expression's next instant there")
  void cronInZone(VertxTestContext testContext) {
    call(HttpMethod.POST, "/api/schedules",
        "{\"name\":\"morning\",\"task\":\"noop\",\"cron\":\"0 9 * * 1-5\",\"tz\":\"Europe/Paris\",\"options\":{\"expires\":60}}")
        .onComplete(testContext.succeeding(reply -> testContext.verify(() -> {
          assertEquals(201, reply.status(), reply.body().toString());
          Instant next = Instant.parse(reply.json().getString("next"));
          assertEquals(ScheduleTiming.cron("0 9 * * 1-5", "Europe/Paris").nextAfter(Instant.now()), next);
          assertEquals("Europe/Paris", reply.json().getString("tz"));
          assertEquals(60, reply.json().getJsonObject("options").getInteger("expires"));
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(20_000)
  @DisplayName("Bad input is a 400 naming the problem (404 for an unknown task); nothing is stored")
  void badInput(VertxTestContext testContext) {
    List<String> bodies = List.of(
        "{\"name\":\"a\",\"task\":\"noop\",\"every\":\"1s\",\"colour\":\"red\"}",
        "{\"name\":\"a\",\"task\":\"noop\",\"every\":\"1s\",\"cron\":\"* * * * *\"}",
        "{\"name\":\"a\",\"task\":\"noop\"}",
        "{\"name\":\"a\",\"task\":\"noop\",\"cron\":\"61 * * * *\"}",
        "{\"name\":\"a\",\"task\":\"noop\",\"cron\":\"* * * * *\",\"tz\":\"Mars/Olympus\"}",
        "{\"name\":\"a\",\"task\":\"noop\",\"every\":\"ten seconds\"}",
        "{\"name\":\"a\",\"task\":\"noop\",\"every\":10}",
        "{\"name\":\"a\",\"task\":\"add\",\"args\":\"2,3\",\"every\":\"1s\"}",
        "{\"name\":\"a\",\"task\":\"add\",\"args\":[2],\"every\":\"1s\"}",
        "{\"name\":\"a\",\"task\":\"noop\",\"every\":\"1s\",\"options\":{\"task_id\":\"x\"}}",
        "{\"name\":\"a\",\"task\":\"noop\",\"every\":\"1s\"",
        "[1, 2]",
        "{\"name\":\"a\",\"task\":\"nope\",\"every\":\"1s\"}");
    List<String> mentions = List.of("colour", "exactly one", "exactly one", "cron", "tz", "every", "every", "args",
        "missing argument", "task_id", "malformed", "malformed", "nope");
    List<Future<Reply>> replies = bodies.stream().map(body -> call(HttpMethod.POST, "/api/schedules", body)).toList();
    Future.all(replies).compose(all -> call(HttpMethod.GET, "/api/schedules", null))
        .onComplete(testContext.succeeding(list -> testContext.verify(() -> {
          for (int i = 0; i < bodies.size(); i++) {
            Reply reply = replies.get(i).result();
            assertEquals(i == bodies.size() - 1 ? 404 : 400, reply.status(), bodies.get(i) + " → " + reply.body());
            String error = reply.json().getString("error");
            assertTrue(error.contains(mentions.get(i)), bodies.get(i) + " → " + error);
          }
          assertEquals(0, list.json().getJsonArray("schedules").size());
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(20_000)
  @DisplayName("One schedule over schedules.max is refused with 400 and counted in /metrics; replacing one still works")
  void bounded(Vertx vertx, VertxTestContext testContext) {
    Future<Reply> chain = Future.succeededFuture();
    for (int i = 0; i < MAX_SCHEDULES; i++) {
      String body = "{\"name\":\"s" + i + "\",\"task\":\"noop\",\"every\":\"1h\"}";
      chain = chain.compose(v -> call(HttpMethod.POST, "/api/schedules", body));
    }
    chain.compose(v -> call(HttpMethod.POST, "/api/schedules", "{\"name\":\"one-too-many\",\"task\":\"noop\",\"every\":\"1h\"}"))
        .compose(refused -> {
          testContext.verify(() -> {
            assertEquals(400, refused.status(), refused.body().toString());
            assertTrue(refused.json().getString("error").contains("too many schedules"), refused.body().toString());
          });
          return call(HttpMethod.POST, "/api/schedules", "{\"name\":\"s0\",\"task\":\"noop\",\"every\":\"2h\"}");
        })
        .compose(replaced -> {
          testContext.verify(() -> assertEquals(200, replaced.status(), replaced.body().toString()));
          return Future.succeededFuture();
        })
        .onComplete(testContext.succeeding(v -> testContext.verify(() -> {
          Counter hits = SwitchboardMetrics.registry(vertx).find(MetricNames.TASK_BOUND_HITS)
              .tag(MetricNames.BOUND, "schedules").counter();
          assertNotNull(hits, "the refusal is counted");
          assertEquals(1.0, hits.count());
          testContext.completeNow();
        })));
  }

  /** Runs {@code switchboard schedules ARGS} in this JVM (off the event loop): exit code and what it printed. */
  private String[] cli(String... args) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    java.io.PrintStream original = System.out;
    java.util.List<String> all = new java.util.ArrayList<>(List.of(args));
    all.addAll(List.of("--url", "http://127.0.0.1:" + port));
    int exit;
    synchronized (System.class) {
      System.setOut(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
      try {
        exit = new picocli.CommandLine(new dev.switchboard.deploy.cli.SchedulesCommand())
            .setExecutionExceptionHandler((ex, cmd, parsed) -> 1).execute(all.toArray(String[]::new));
      } finally {
        System.setOut(original);
      }
    }
    return new String[] {String.valueOf(exit), out.toString(java.nio.charset.StandardCharsets.UTF_8)};
  }

  @Test
  @Timeout(30_000)
  @DisplayName("The CLI: schedules add (every and cron), list shows them and the leader, remove removes; removing again fails")
  void commandLine(Vertx vertx, VertxTestContext testContext) {
    vertx.executeBlocking(() -> {
      String[] added = cli("add", "sum", "add", "--args", "[2, 3]", "--every", "1h");
      String[] cron = cli("add", "morning", "noop", "--cron", "0 9 * * MON-FRI", "--tz", "Europe/Paris");
      String[] both = cli("add", "bad", "noop", "--every", "1h", "--cron", "* * * * *");
      String[] listed = cli("list");
      String[] removed = cli("remove", "sum");
      String[] again = cli("remove", "sum");
      String[] after = cli("list");
      testContext.verify(() -> {
        assertEquals("0", added[0], added[1]);
        assertTrue(added[1].contains("sum: next "), added[1]);
        assertEquals("0", cron[0], cron[1]);
        assertEquals("2", both[0], "--every and --cron are exclusive");
        assertEquals("0", listed[0]);
        assertTrue(listed[1].contains("every 1h") && listed[1].contains("cron 0 9 * * MON-FRI Europe/Paris"), listed[1]);
        assertTrue(listed[1].contains("2 of at most " + MAX_SCHEDULES), listed[1]);
        assertEquals("0", removed[0], removed[1]);
        assertEquals("1", again[0], "no such schedule");
        assertTrue(!after[1].contains("every 1h") && after[1].contains("1 of at most"), after[1]);
      });
      return null;
    }).onComplete(testContext.succeedingThenComplete());
  }

  /** An app that declares {@code schedule}. */
  private static SwitchboardApp declaring(PeriodicTask schedule) {
    return new SwitchboardApp() {
      @Override
      public String name() {
        return "beat-app";
      }

      @Override
      public void configure(AppBuilder app) {
        app.schedule(schedule);
      }
    };
  }

  @Test
  @Timeout(20_000)
  @DisplayName("app.schedule(...): the worker writes the app's schedule at start and it is listed; a bad declaration stops the app with a message")
  void declaredByAnApp(Vertx vertx, VertxTestContext testContext) {
    AppException bad = org.junit.jupiter.api.Assertions.assertThrows(AppException.class,
        () -> AppCatalog.of(List.of(declaring(PeriodicTask.every("broken", "0s", "noop")))));
    assertTrue(bad.getMessage().contains("app beat-app: schedule \"broken\": every:"), bad.getMessage());
    AppCatalog apps = AppCatalog.of(List.of(declaring(
        PeriodicTask.cron("declared", "*/5 * * * *", "add").withArgs(1, 2).inZone("Asia/Tokyo"))));
    vertx.deployVerticle(BeatVerticle.standalone(apps.schedules()), options).onSuccess(deployments::add)
        .compose(id -> call(HttpMethod.GET, "/api/schedules", null))
        .onComplete(testContext.succeeding(reply -> testContext.verify(() -> {
          JsonObject declared = reply.json().getJsonArray("schedules").getJsonObject(0);
          assertEquals("declared", declared.getString("name"));
          assertEquals("*/5 * * * *", declared.getString("cron"));
          assertEquals("Asia/Tokyo", declared.getString("tz"));
          assertEquals(new JsonArray().add(1).add(2), declared.getJsonArray("args"));
          assertEquals(0, Instant.parse(declared.getString("next")).getEpochSecond() % 300);
          testContext.completeNow();
        })));
  }
}

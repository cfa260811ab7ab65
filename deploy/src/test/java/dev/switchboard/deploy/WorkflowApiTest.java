package dev.switchboard.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.api.tasks.TaskState;
import dev.switchboard.api.workflows.Signature;
import dev.switchboard.api.workflows.Workflow;
import dev.switchboard.gateway.GatewayVerticle;
import dev.switchboard.shared.channels.ChannelLayerVerticle;
import dev.switchboard.shared.config.SwitchboardConfig;
import dev.switchboard.shared.tasks.RedisTaskClient;
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
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("Workflows (chain, group, chord) over HTTP and from Java, against a deployed gateway and worker on real Redis")
class WorkflowApiTest {

  private static final String REDIS_URL = TaskNamespace.REDIS_URL;

  private final TaskNamespace namespace = new TaskNamespace();
  private GatewayVerticle gateway;
  private HttpClient http;
  private RedisTaskClient client;
  private int port;
  private final List<String> deployments = new CopyOnWriteArrayList<>();

  @BeforeEach
  void deploy(Vertx vertx, VertxTestContext testContext) {
    JsonObject json = new JsonObject()
        .put("http", new JsonObject().put("port", 0).put("instances", 1).put("host", "127.0.0.1"))
        .put("redis", new JsonObject().put("url", REDIS_URL))
        .put("tasks", new JsonObject().put("namespace", namespace.name()).put("schedulerIntervalMs", 20).put("pollIntervalMs", 50)
            .put("concurrency", 8));
    SwitchboardConfig parsed = SwitchboardConfig.fromJson(json);
    gateway = GatewayVerticle.standalone();
    DeploymentOptions options = new DeploymentOptions().setConfig(parsed.toJson());
    client = RedisTaskClient.create(vertx, REDIS_URL, parsed.tasks());
    vertx.deployVerticle(ChannelLayerVerticle.standalone(), options).onSuccess(deployments::add)
        .compose(v -> vertx.deployVerticle(new WorkerVerticle(), options).onSuccess(deployments::add))
        .compose(v -> vertx.deployVerticle(gateway, options).onSuccess(deployments::add))
        .onSuccess(v -> {
          port = gateway.actualPort();
          http = vertx.createHttpClient();
        })
        .onComplete(testContext.succeedingThenComplete());
  }

  @AfterEach
  void clean(Vertx vertx, VertxTestContext testContext) {
    client.close();
    Future.join(deployments.stream().map(vertx::undeploy).toList())
        .compose(v -> namespace.drop(vertx))
        .onComplete(testContext.succeedingThenComplete());
  }

  private record Reply(int status, String location, Buffer body) {
    JsonObject json() {
      return body.toJsonObject();
    }
  }

  private Future<Reply> call(HttpMethod method, String path, Buffer body) {
    return http.request(new RequestOptions().setMethod(method).putHeader("Content-Type", "application/json")
            .setHost("127.0.0.1").setPort(port).setURI(path))
        .compose(request -> body == null ? request.send() : request.send(body))
        .compose(response -> response.body().map(bytes -> new Reply(response.statusCode(), response.getHeader("Location"), bytes)));
  }

  /** Submits over HTTP, checks the 202 and its Location, then reads the workflow there until it is final. */
  private Future<JsonObject> run(Vertx vertx, JsonObject workflow) {
    return call(HttpMethod.POST, "/api/workflows", workflow.toBuffer()).compose(reply -> {
      assertEquals(202, reply.status(), reply.body().toString());
      String id = reply.json().getString("id");
      assertEquals("/api/workflows/" + id, reply.location());
      return awaitFinal(vertx, reply.location(), 400);
    });
  }

  private Future<JsonObject> awaitFinal(Vertx vertx, String location, int attemptsLeft) {
    return call(HttpMethod.GET, location, null).compose(reply -> {
      String state = reply.status() == 200 ? reply.json().getString("state") : null;
      if ("SUCCESS".equals(state) || "FAILURE".equals(state)) {
        return Future.succeededFuture(reply.json());
      }
      if (attemptsLeft <= 0) {
        return Future.failedFuture(new AssertionError("workflow " + location + " never finished: " + reply.body()));
      }
      return vertx.timer(50).compose(v -> awaitFinal(vertx, location, attemptsLeft - 1));
    });
  }

  private static JsonObject sig(String task, Object... args) {
    return new JsonObject().put("task", task).put("args", new JsonArray(List.of(args)));
  }

  private static JsonObject chain(JsonObject... steps) {
    return new JsonObject().put("chain", new JsonArray(List.of((Object[]) steps)));
  }

  private static JsonObject group(JsonObject... members) {
    return new JsonObject().put("group", new JsonArray(List.of((Object[]) members)));
  }

  private static JsonObject chord(List<JsonObject> header, JsonObject body) {
    return new JsonObject().put("chord", new JsonObject().put("header", new JsonArray(new ArrayList<>(header))).put("body", body));
  }

  @Test
  @Timeout(30_000)
  @DisplayName("a chain add(2, 3) | add(10) gives 15: each result goes first into the next call; its tasks are listed")
  void chain(Vertx vertx, VertxTestContext testContext) {
    run(vertx, chain(sig("add", 2, 3), sig("add", 10))).onComplete(testContext.succeeding(workflow -> testContext.verify(() -> {
      assertEquals("SUCCESS", workflow.getString("state"), workflow.encode());
      assertEquals(15, workflow.getInteger("result"));
      JsonArray tasks = workflow.getJsonArray("tasks");
      assertEquals(2, tasks.size());
      assertEquals("add", tasks.getJsonObject(1).getString("task"));
      assertEquals("SUCCESS", tasks.getJsonObject(1).getString("state"));
      testContext.completeNow();
    })));
  }

  @Test
  @Timeout(60_000)
  @DisplayName("a chord of 20 add(i, i) with xsum gives their sum; a group gives its results in order")
  void chordAndGroup(Vertx vertx, VertxTestContext testContext) {
    List<JsonObject> header = new ArrayList<>();
    List<JsonObject> members = new ArrayList<>();
    long expected = 0;
    for (int i = 0; i < 20; i++) {
      header.add(sig("add", i, i));
      members.add(sig("add", i, 100));
      expected += 2L * i;
    }
    long sum = expected;
    run(vertx, chord(header, sig("xsum")))
        .compose(chord -> {
          testContext.verify(() -> {
            assertEquals("SUCCESS", chord.getString("state"), chord.encode());
            assertEquals(sum, chord.getLong("result"));
            assertEquals(21, chord.getJsonArray("tasks").size());
          });
          return run(vertx, new JsonObject().put("group", new JsonArray(new ArrayList<>(members))));
        })
        .onComplete(testContext.succeeding(group -> testContext.verify(() -> {
          assertEquals("SUCCESS", group.getString("state"), group.encode());
          JsonArray results = group.getJsonArray("result");
          for (int i = 0; i < 20; i++) {
            assertEquals(i + 100, results.getInteger(i));
          }
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(60_000)
  @DisplayName("nesting: a chain holding a chord whose header holds a chain, then a group fed by the chord's result")
  void nested(Vertx vertx, VertxTestContext testContext) {
    // chord([add(1,2) | add(3), add(4,4)], xsum) = 6 + 8 = 14; | add(100) = 114; | group(add(1), add(2)) = [115, 116]
    JsonObject workflow = chain(
        chord(List.of(chain(sig("add", 1, 2), sig("add", 3)), sig("add", 4, 4)), sig("xsum")),
        sig("add", 100),
        group(sig("add", 1), sig("add", 2)));
    run(vertx, workflow).onComplete(testContext.succeeding(done -> testContext.verify(() -> {
      assertEquals("SUCCESS", done.getString("state"), done.encode());
      assertEquals(new JsonArray().add(115).add(116), done.getJsonArray("result"));
      assertEquals(7, done.getJsonArray("tasks").size());
      testContext.completeNow();
    })));
  }

  @Test
  @Timeout(30_000)
  @DisplayName("results pass through exactly: add(2^70, 1) | add(1) | group(add(0)) and a chord into xsum keep every digit")
  void bigIntegers(Vertx vertx, VertxTestContext testContext) {
    BigInteger big = BigInteger.TWO.pow(70);
    JsonObject first = new JsonObject().put("task", "add").put("args", new JsonArray().add(big).add(1));
    run(vertx, chain(first, sig("add", 1), group(sig("add", 0)))).map(done -> testContext.verify(() -> {
      assertEquals("SUCCESS", done.getString("state"), done.encode());
      assertEquals(new JsonArray().add(big.add(BigInteger.TWO)).encode(), done.getJsonArray("result").encode());
    })).compose(v -> run(vertx, chord(List.of(first, first,
            new JsonObject().put("task", "add").put("args", new JsonArray().add(BigInteger.TEN.pow(300)).add(0))), sig("xsum"))))
        .onComplete(testContext.succeeding(done -> testContext.verify(() -> {
          // far past a long and a double's precision: 2^71 + 2 + 10^300, every digit
          BigInteger expected = big.add(BigInteger.ONE).multiply(BigInteger.TWO).add(BigInteger.TEN.pow(300));
          assertEquals("SUCCESS", done.getString("state"), done.encode());
          assertEquals(expected.toString(), done.getValue("result").toString(), done.encode());
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(30_000)
  @DisplayName("a failing header member fails the chord naming it; the body is never created; a chain stops at its failure")
  void failure(Vertx vertx, VertxTestContext testContext) {
    // long_running(-1) fails at once (n out of range; no retries by default)
    JsonObject bad = sig("long_running", -1);
    run(vertx, chord(List.of(sig("add", 1, 1), bad, sig("add", 2, 2)), sig("xsum")))
        .compose(chord -> {
          testContext.verify(() -> {
            assertEquals("FAILURE", chord.getString("state"), chord.encode());
            JsonObject error = chord.getJsonObject("error");
            JsonObject member = chord.getJsonArray("tasks").getJsonObject(1);
            assertEquals("WorkflowFailed", error.getString("type"));
            assertEquals(member.getString("id"), error.getString("task_id"), chord.encode());
            assertTrue(error.getString("message").contains("long_running[" + member.getString("id") + "] failed"), error.encode());
            assertTrue(error.getJsonObject("cause").getString("message").contains("n must be 0 to"), error.encode());
            assertNull(chord.getJsonArray("tasks").getJsonObject(3).getString("state"), "the body was never created");
          });
          // xsum(2) fails (2 is not a list): the chain's third step is never created
          return run(vertx, chain(sig("add", 1, 1), sig("xsum"), sig("add", 1)));
        })
        .onComplete(testContext.succeeding(chain -> testContext.verify(() -> {
          assertEquals("FAILURE", chain.getString("state"), chain.encode());
          JsonArray tasks = chain.getJsonArray("tasks");
          assertEquals("FAILURE", tasks.getJsonObject(1).getString("state"));
          assertEquals("xsum", chain.getJsonObject("error").getString("task"));
          assertNull(tasks.getJsonObject(2).getString("state"), "the step after the failure was never created");
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(30_000)
  @DisplayName("a step's relative expiry counts from when it is queued: long_running(2) | add(1, 1) expiring in 1 s succeeds")
  void relativeOptions(Vertx vertx, VertxTestContext testContext) {
    JsonObject late = sig("add", 1, 1).put("immutable", true).put("options", new JsonObject().put("expires", 1));
    run(vertx, chain(sig("long_running", 2), late)).onComplete(testContext.succeeding(done -> testContext.verify(() -> {
      assertEquals("SUCCESS", done.getString("state"), done.encode());
      assertEquals(2, done.getInteger("result"));
      testContext.completeNow();
    })));
  }

  @Test
  @Timeout(30_000)
  @DisplayName("revoking a running member (DELETE /api/tasks/{id}) fails its workflow at once, naming it; the next step never exists")
  void revokedMember(Vertx vertx, VertxTestContext testContext) {
    JsonObject workflow = chain(sig("long_running", 60), sig("add", 1, 1).put("immutable", true));
    call(HttpMethod.POST, "/api/workflows", workflow.toBuffer())
        .compose(reply -> {
          String member = reply.json().getString("id") + ".2";
          return awaitTaskState(vertx, member, "PROGRESS", 400)
              .compose(v -> call(HttpMethod.DELETE, "/api/tasks/" + member, null))
              .compose(v -> call(HttpMethod.GET, reply.location(), null))
              .map(read -> {
                testContext.verify(() -> {
                  JsonObject done = read.json();
                  assertEquals("FAILURE", done.getString("state"), done.encode());
                  assertEquals("task long_running[" + member + "] was revoked", done.getJsonObject("error").getString("message"));
                  assertEquals("REVOKED", done.getJsonArray("tasks").getJsonObject(0).getString("state"));
                  assertNull(done.getJsonArray("tasks").getJsonObject(1).getString("state"));
                });
                return read;
              });
        })
        .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  @Timeout(30_000)
  @DisplayName("DELETE /api/workflows/{id} revokes it: REVOKED, its running member revoked, the next step never exists; "
      + "a second revoke changes nothing, an unknown id is 404")
  void revokeWorkflow(Vertx vertx, VertxTestContext testContext) {
    JsonObject workflow = chain(sig("long_running", 60), sig("add", 1, 1).put("immutable", true));
    call(HttpMethod.POST, "/api/workflows", workflow.toBuffer())
        .compose(reply -> awaitTaskState(vertx, reply.json().getString("id") + ".2", "PROGRESS", 400)
            .compose(v -> call(HttpMethod.DELETE, reply.location(), null))
            .compose(revoked -> {
              testContext.verify(() -> {
                assertEquals(200, revoked.status(), revoked.body().toString());
                assertEquals("REVOKED", revoked.json().getString("state"));
              });
              return call(HttpMethod.DELETE, reply.location(), null);
            })
            .compose(again -> {
              testContext.verify(() -> assertEquals("REVOKED", again.json().getString("state")));
              return call(HttpMethod.GET, reply.location(), null);
            }))
        .compose(read -> {
          testContext.verify(() -> {
            JsonObject done = read.json();
            assertEquals("REVOKED", done.getString("state"), done.encode());
            assertEquals("WorkflowRevoked", done.getJsonObject("error").getString("type"));
            assertEquals("REVOKED", done.getJsonArray("tasks").getJsonObject(0).getString("state"));
            assertNull(done.getJsonArray("tasks").getJsonObject(1).getString("state"));
          });
          return call(HttpMethod.DELETE, "/api/workflows/nope", null);
        })
        .onComplete(testContext.succeeding(missing -> testContext.verify(() -> {
          assertEquals(404, missing.status());
          testContext.completeNow();
        })));
  }

  private Future<Void> awaitTaskState(Vertx vertx, String id, String state, int attemptsLeft) {
    return call(HttpMethod.GET, "/api/tasks/" + id, null).compose(reply -> {
      if (reply.status() == 200 && state.equals(reply.json().getString("state"))) {
        return Future.succeededFuture();
      }
      if (attemptsLeft <= 0) {
        return Future.failedFuture(new AssertionError("task " + id + " never reached " + state + ": " + reply.body()));
      }
      return vertx.timer(50).compose(v -> awaitTaskState(vertx, id, state, attemptsLeft - 1));
    });
  }

  @Test
  @Timeout(30_000)
  @DisplayName("from Java: Workflow.chain(...) through the task client's workflows() gives 15; awaitFinal waits for it")
  void javaApi(Vertx vertx, VertxTestContext testContext) {
    client.workflows().submit(Workflow.chain(Signature.of("add", 2, 3), Signature.of("add", 10)))
        .compose(id -> client.workflows().awaitFinal(id, Duration.ofSeconds(20)))
        .onComplete(testContext.succeeding(info -> testContext.verify(() -> {
          assertEquals(TaskState.SUCCESS, info.state());
          assertEquals(15, ((Number) info.result()).intValue());
          assertEquals(2, info.tasks().size());
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(30_000)
  @DisplayName("bad workflows get 400 with a message naming the member: malformed, unknown task, wrong arguments, too deep, too big")
  void badInput(Vertx vertx, VertxTestContext testContext) {
    JsonObject deep = sig("noop");
    for (int i = 0; i < 12; i++) {
      deep = chain(deep);
    }
    List<JsonObject> many = new ArrayList<>();
    for (int i = 0; i < 1001; i++) {
      many.add(sig("noop"));
    }
    List<Object[]> cases = List.of(
        new Object[] {Buffer.buffer("{not json"), "malformed"},
        new Object[] {new JsonObject().put("chain", new JsonArray()).toBuffer(), "workflow.chain: expected a non-empty array"},
        new Object[] {new JsonObject().put("loop", new JsonArray()).toBuffer(), "unknown key \"loop\""},
        new Object[] {chain(sig("add", 1, 2), sig("no_such_task")).toBuffer(), "no task named \"no_such_task\""},
        new Object[] {chain(sig("add", 1, 2), sig("add", 1, 2)).toBuffer(), "workflow.chain[1]: add() takes 1 argument(s), got 2"},
        new Object[] {chain(sig("add", 1, 2), sig("noop")).toBuffer(), "workflow.chain[1]: noop() takes no argument"},
        new Object[] {chord(List.of(sig("add", 1, 2)), new JsonObject().put("task", 5)).toBuffer(), "workflow.chord.body: expected"},
        new Object[] {deep.toBuffer(), "nested deeper than 10 levels"},
        new Object[] {new JsonObject().put("group", new JsonArray(new ArrayList<>(many))).toBuffer(), "at most 1000"});
    Future<Void> all = Future.succeededFuture();
    for (Object[] c : cases) {
      all = all.compose(v -> call(HttpMethod.POST, "/api/workflows", (Buffer) c[0]).map(reply -> {
        testContext.verify(() -> {
          assertEquals(400, reply.status(), reply.body().toString());
          assertTrue(reply.json().getString("error").contains((String) c[1]), c[1] + " not in " + reply.body());
        });
        return null;
      }));
    }
    all.compose(v -> call(HttpMethod.GET, "/api/workflows/nope", null))
        .onComplete(testContext.succeeding(reply -> testContext.verify(() -> {
          assertEquals(404, reply.status());
          testContext.completeNow();
        })));
  }
}

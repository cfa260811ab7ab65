package dev.switchboard.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.api.http.HttpConsumer;
import dev.switchboard.api.http.HttpRequest;
import dev.switchboard.consumers.HttpConsumerVerticle;
import dev.switchboard.gateway.GatewayVerticle;
import dev.switchboard.shared.apps.HttpRoute;
import dev.switchboard.shared.channels.ChannelLayerVerticle;
import dev.switchboard.shared.metrics.SwitchboardMetrics;
import dev.switchboard.shared.routes.Route;
import dev.switchboard.shared.routes.RouteAnnouncer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
@DisplayName("HTTP over the event bus: the gateway relays announced HTTP routes to HTTP consumers (AsyncHttpConsumer)")
class HttpConsumerTest {

  private static final int MAX_BODY = 64 * 1024;
  private static final int PART = 64 * 1024;
  private static final int STREAM_PARTS = 512; // 32 MiB
  /** What the streaming consumer has had written to its client so far (acknowledged parts). */
  private static final AtomicLong streamed = new AtomicLong();

  private int port;
  private HttpClient http;
  // fields: Vert.x closes an unreachable client (a Cleaner), and with it the sockets and requests using it
  private HttpClient h2c;
  private NetClient net;

  /** Answers with what it was given: the scope and the body. */
  static final class ScopeEcho extends HttpConsumer {
    @Override
    protected Future<Void> handle(HttpRequest request) {
      return sendJson(200, new JsonObject().put("method", request.method()).put("path", request.path())
          .put("id", request.param("id")).put("q", request.queryParams("q")).put("user", request.user())
          .put("authorization", request.header("authorization")).put("custom", request.header("X-Custom"))
          .put("bytes", request.body().length()).put("body", request.body().toString()));
    }
  }

  /** Never answers. */
  static final class Silent extends HttpConsumer {
    @Override
    protected Future<Void> handle(HttpRequest request) {
      return Promise.<Void>promise().future();
    }
  }

  /** Streams {@link #STREAM_PARTS} parts, each sent once the previous one was written to the client. */
  static final class Streamer extends HttpConsumer {
    @Override
    protected Future<Void> handle(HttpRequest request) {
      streamed.set(0);
      return sendHeaders(200, Map.of("content-type", "application/octet-stream")).compose(v -> part(0));
    }

    private Future<Void> part(int i) {
      Buffer chunk = Buffer.buffer(new byte[PART]);
      chunk.setInt(0, i);
      boolean more = i < STREAM_PARTS - 1;
      return sendBody(chunk, more).compose(v -> {
        streamed.addAndGet(PART);
        return more ? part(i + 1) : Future.succeededFuture();
      });
    }
  }

  @BeforeEach
  void deploy(Vertx vertx, VertxTestContext testContext) {
    JsonObject config = new JsonObject()
        .put("http", new JsonObject().put("port", 0).put("host", "127.0.0.1").put("instances", 1)
            .put("maxBodySize", MAX_BODY).put("relayTimeoutMs", 1500));
    DeploymentOptions options = new DeploymentOptions().setConfig(config);
    GatewayVerticle gateway = GatewayVerticle.standalone();
    http = vertx.createHttpClient();
    net = vertx.createNetClient();
    vertx.deployVerticle(ChannelLayerVerticle.standalone(), options)
        .compose(v -> consumer(vertx, "scope-echo", ScopeEcho::new, options))
        .compose(v -> consumer(vertx, "silent", Silent::new, options))
        .compose(v -> consumer(vertx, "streamer", Streamer::new, options))
        .compose(v -> new RouteAnnouncer(vertx, "test").announce(List.of(
            Route.http("/echo/:id", "scope-echo"), Route.http("/silent", "silent"), Route.http("/stream", "streamer"),
            Route.http("/nobody", "not-deployed"))))
        .compose(v -> vertx.deployVerticle(gateway, options))
        .onSuccess(v -> port = gateway.actualPort())
        .onComplete(testContext.succeedingThenComplete());
  }

  private static Future<String> consumer(Vertx vertx, String name, Supplier<? extends HttpConsumer> factory, DeploymentOptions options) {
    HttpRoute route = new HttpRoute("test", "/unused", name, factory);
    return vertx.deployVerticle(() -> new HttpConsumerVerticle(route, new JsonObject(), false), new DeploymentOptions(options).setInstances(2));
  }

  private record Reply(int status, Buffer body) {
    JsonObject json() {
      return body.toJsonObject();
    }
  }

  private Future<Reply> call(HttpMethod method, String uri, Buffer body, Map<String, String> headers) {
    RequestOptions options = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(port).setURI(uri);
    headers.forEach(options::addHeader);
    return http.request(options)
        .compose(request -> body == null ? request.send() : request.send(body))
        .compose(response -> response.body().map(bytes -> new Reply(response.statusCode(), bytes)));
  }

  @Test
  @DisplayName("a POST over HTTP/2 (h2c upgrade, as java.net.http sends by default) is relayed and answered: its body ends with its headers, and the relay must not pause an ended request")
  void http2CleartextUpgrade(Vertx vertx, VertxTestContext testContext) {
    h2c = vertx.createHttpClient(new io.vertx.core.http.HttpClientOptions()
        .setProtocolVersion(io.vertx.core.http.HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(true));
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
        .setURI("/echo/7").addHeader("content-type", "application/json");
    h2c.request(options)
        .compose(request -> request.send(Buffer.buffer("{\"h2\": true}")))
        .compose(response -> response.body().map(bytes -> new Reply(response.statusCode(), bytes)))
        .onComplete(testContext.succeeding(reply -> testContext.verify(() -> {
          assertEquals(200, reply.status(), reply.body().toString());
          assertEquals("7", reply.json().getString("id"));
          assertEquals("{\"h2\": true}", reply.json().getString("body"));
          testContext.completeNow();
        })));
  }

  @Test
  @DisplayName("a request reaches a consumer instance with its method, path parameters, query, headers (no Authorization) and body; the answer comes back")
  void roundTrip(VertxTestContext testContext) {
    call(HttpMethod.POST, "/echo/42?q=a&q=b%20c", Buffer.buffer("{\"hello\": true}"),
        Map.of("X-Custom", "yes", "Authorization", "Bearer secret"))
        .onComplete(testContext.succeeding(reply -> testContext.verify(() -> {
          assertEquals(200, reply.status(), reply.body().toString());
          JsonObject json = reply.json();
          assertEquals("POST", json.getString("method"));
          assertEquals("/echo/42", json.getString("path"));
          assertEquals("42", json.getString("id"));
          assertEquals(List.of("a", "b c"), json.getJsonArray("q").getList());
          assertEquals("yes", json.getString("custom"));
          assertNull(json.getValue("authorization"), "the token never reaches a consumer");
          assertNull(json.getValue("user"), "no authentication configured: no user");
          assertEquals("{\"hello\": true}", json.getString("body"));
          testContext.completeNow();
        })));
  }

  @Test
  @DisplayName("a body over http.maxBodySize answers 413, declared or streamed; a body in many parts arrives whole")
  void bodyLimit(VertxTestContext testContext) {
    Buffer big = Buffer.buffer(new byte[MAX_BODY + 1]);
    Buffer fits = Buffer.buffer("x".repeat(MAX_BODY));
    Future<Reply> declared = call(HttpMethod.POST, "/echo/1", big, Map.of());
    Future<Reply> streamedBig = http.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port).setURI("/echo/2"))
        .compose(request -> {
          request.setChunked(true);
          for (int i = 0; i < 4; i++) {
            request.write(Buffer.buffer(new byte[MAX_BODY / 2]));
          }
          return request.end().compose(v -> request.response());
        })
        .compose(response -> response.body().map(bytes -> new Reply(response.statusCode(), bytes)));
    Future<Reply> chunkedFits = http.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port).setURI("/echo/3"))
        .compose(request -> {
          request.setChunked(true);
          for (int i = 0; i < 16; i++) {
            request.write(fits.getBuffer(i * (MAX_BODY / 16), (i + 1) * (MAX_BODY / 16)));
          }
          return request.end().compose(v -> request.response());
        })
        .compose(response -> response.body().map(bytes -> new Reply(response.statusCode(), bytes)));
    Future.all(declared, streamedBig, chunkedFits).onComplete(testContext.succeeding(all -> testContext.verify(() -> {
      assertEquals(413, declared.result().status(), declared.result().body().toString());
      assertTrue(declared.result().json().getString("error").contains("body"), declared.result().body().toString());
      assertEquals(413, streamedBig.result().status(), streamedBig.result().body().toString());
      assertEquals(200, chunkedFits.result().status(), chunkedFits.result().body().toString());
      assertEquals(MAX_BODY, chunkedFits.result().json().getInteger("bytes"));
      testContext.completeNow();
    })));
  }

  @Test
  @DisplayName("a consumer that never answers gives 504 after http.relayTimeoutMs; a route with no instance 503; an unannounced path 404; "
      + "the HTTP server meters count the first two under their announced route patterns, the last as unmatched")
  void timeoutNoInstanceUnknown(Vertx vertx, VertxTestContext testContext) {
    Future<Reply> silent = call(HttpMethod.GET, "/silent", null, Map.of());
    Future<Reply> nobody = call(HttpMethod.GET, "/nobody", null, Map.of());
    Future<Reply> unknown = call(HttpMethod.GET, "/not/announced", null, Map.of());
    // one more answer from the gateway's one event loop: by then it has recorded the three before
    Future.all(silent, nobody, unknown).compose(all -> call(HttpMethod.GET, "/api/ping", null, Map.of()))
        .onComplete(testContext.succeeding(ping -> testContext.verify(() -> {
      assertEquals(504, silent.result().status(), silent.result().body().toString());
      assertEquals(503, nobody.result().status(), nobody.result().body().toString());
      assertTrue(nobody.result().json().getString("error").contains("not-deployed"), nobody.result().body().toString());
      assertEquals(404, unknown.result().status());
      MeterRegistry registry = SwitchboardMetrics.registry(vertx);
      assertEquals(1, requests(registry, "/silent", "504"));
      assertEquals(1, requests(registry, "/nobody", "503"));
      assertEquals(1, requests(registry, "unmatched", "404"));
      testContext.completeNow();
    })));
  }

  private static double requests(MeterRegistry registry, String route, String code) {
    Counter counter = registry.find("vertx.http.server.requests").tag("route", route).tag("code", code).counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  @DisplayName("a streamed response is held back by a client that does not read (the consumer waits), and arrives whole and in order once it reads")
  void responseBackpressure(Vertx vertx, VertxTestContext testContext) {
    long total = (long) PART * STREAM_PARTS;
    net.connect(port, "127.0.0.1").onComplete(testContext.succeeding(socket -> {
      socket.pause();
      socket.write("GET /stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      // the consumer sends a part only once the last was written to the client: with the client not reading, its
      // progress stops once the socket buffers are full, far short of the whole stream
      stalled(vertx, -1, 0).onComplete(testContext.succeeding(stalledAt -> {
        System.out.printf("a client that reads nothing held the streaming consumer at %d of %d bytes%n", stalledAt, total);
        testContext.verify(() -> assertTrue(stalledAt < total / 2, "the consumer ran ahead of a client that reads nothing: "
            + stalledAt + " of " + total + " bytes written"));
        readAll(socket, total).onComplete(testContext.succeeding(body -> testContext.verify(() -> {
          assertEquals(total, streamed.get());
          for (int i = 0; i < STREAM_PARTS; i++) {
            assertEquals(i, body.getInt(i * PART), "part " + i + " in order");
          }
          testContext.completeNow();
        })));
        socket.resume();
      }));
    }));
  }

  /** Waits until the streamed count stops moving (the same on five checks 100 ms apart): the consumer is held back. */
  private static Future<Long> stalled(Vertx vertx, long last, int sameFor) {
    return vertx.timer(100).compose(t -> {
      long now = streamed.get();
      if (now == last && now > 0 && sameFor >= 4) {
        return Future.succeededFuture(now);
      }
      return stalled(vertx, now, now == last ? sameFor + 1 : 0);
    });
  }

  /** Reads the HTTP response off the raw socket; completes with its de-chunked body of {@code expected} bytes. */
  private static Future<Buffer> readAll(NetSocket socket, long expected) {
    Promise<Buffer> done = Promise.promise();
    Buffer raw = Buffer.buffer();
    socket.handler(bytes -> {
      raw.appendBuffer(bytes);
      if (raw.length() >= 7 && raw.getBuffer(raw.length() - 7, raw.length()).toString().equals("\r\n0\r\n\r\n")) {
        done.tryComplete(dechunk(raw));
      }
    });
    return done.future().onComplete(r -> socket.close()).map(body -> {
      assertEquals(expected, body.length());
      return body;
    });
  }

  private static Buffer dechunk(Buffer raw) {
    int at = indexOf(raw, "\r\n\r\n", 0) + 4;
    assertFalse(at < 4, "no header end");
    Buffer body = Buffer.buffer();
    while (true) {
      int eol = indexOf(raw, "\r\n", at);
      int size = Integer.parseInt(raw.getString(at, eol).trim(), 16);
      if (size == 0) {
        return body;
      }
      body.appendBuffer(raw.getBuffer(eol + 2, eol + 2 + size));
      at = eol + 2 + size + 2;
    }
  }

  private static int indexOf(Buffer raw, String text, int from) {
    byte[] wanted = text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    for (int i = from; i <= raw.length() - wanted.length; i++) {
      boolean found = true;
      for (int j = 0; j < wanted.length && found; j++) {
        found = raw.getByte(i + j) == wanted[j];
      }
      if (found) {
        return i;
      }
    }
    return -1;
  }
}

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.AllowForwardHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * Heap bytes the server's event loop allocates per GET /api/ping, for the bare request handler and for vertx-web
 * Routers laid out in different ways (the gateway's order, /api/ping first, no other routes): what the Router costs
 * and whether its configuration or our route order changes it. A count, valid on a loaded machine: the event loop's
 * allocated-bytes counter (com.sun.management.ThreadMXBean) around N requests sent by a client on another Vert.x.
 * Usage: java -cp deploy/target/switchboard.jar bench/RouterAlloc.java [requests]
 */
public class RouterAlloc {

  private static final Buffer PONG = Buffer.buffer("{\"pong\":true}");
  private static final CharSequence JSON = HttpHeaders.createOptimized("application/json");
  /** Held in a field: Vert.x 5 closes a client that becomes unreachable, under its queued requests. */
  private static HttpClient client;

  public static void main(String[] args) throws Exception {
    int requests = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    Vertx server = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    Vertx clients = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    client = clients.createHttpClient(new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(8));
    List<String> lines = new ArrayList<>();
    report(lines, measure("bare request handler (no Router)", server, client, requests, v -> RouterAlloc::ping));
    report(lines, measure("Router: GET /api/ping only", server, client, requests, v -> {
      Router router = Router.router(v);
      router.get("/api/ping").handler(RouterAlloc::ping);
      return router;
    }));
    report(lines, measure("Router: the gateway's order (4 pathless handlers, /health, /metrics, then /api/ping)", server, client, requests,
        v -> gatewayOrder(v, false)));
    report(lines, measure("Router: the same, /api/ping first of the path routes", server, client, requests, v -> gatewayOrder(v, true)));
    report(lines, measure("Router: the gateway's order, every route useNormalizedPath(false)", server, client, requests, v -> {
      Router router = gatewayOrder(v, false);
      router.getRoutes().forEach(route -> route.useNormalizedPath(false));
      return router;
    }));
    report(lines, measure("Router: the gateway's order, allowForward(NONE) set explicitly (the default)", server, client, requests,
        v -> gatewayOrder(v, false).allowForward(AllowForwardHeaders.NONE)));
    report(lines, measure("Router: one pathless route answering everything (no path matched: no path-parameter map)", server, client,
        requests, v -> {
          Router router = Router.router(v);
          router.route().handler(RouterAlloc::ping);
          return router;
        }));
    client.close();
    clients.close();
    server.close();
  }

  private static void report(List<String> lines, String line) {
    lines.add(line);
    System.out.println(line);
  }

  private static Router gatewayOrder(Vertx vertx, boolean pingFirst) {
    Router router = Router.router(vertx);
    for (int i = 0; i < 4; i++) {
      router.route().handler(RoutingContext::next);
    }
    if (pingFirst) {
      router.get("/api/ping").handler(RouterAlloc::ping);
    }
    router.get("/health").handler(rc -> rc.end("health"));
    router.get("/metrics").handler(rc -> rc.end("metrics"));
    router.get("/api/ping").handler(RouterAlloc::ping);
    router.get("/api/tasks/:id").handler(rc -> rc.end("task"));
    router.route().handler(rc -> rc.fail(404));
    return router;
  }

  private static void ping(RoutingContext rc) {
    rc.response().putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(PONG);
  }

  private static void ping(HttpServerRequest request) {
    request.response().putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(PONG);
  }

  interface Handlers extends java.util.function.Function<Vertx, Handler<HttpServerRequest>> {
  }

  private static String measure(String name, Vertx vertx, HttpClient client, int requests, Handlers handlers) throws Exception {
    long[] loop = new long[1];
    Handler<HttpServerRequest> built = handlers.apply(vertx);
    HttpServer server = vertx.createHttpServer().requestHandler(request -> {
      loop[0] = Thread.currentThread().getId();
      built.handle(request);
    });
    int port = server.listen(0, "127.0.0.1").await().actualPort();
    send(client, port, requests / 2);   // warm-up (JIT)
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long before = threads.getThreadAllocatedBytes(loop[0]);
    send(client, port, requests);
    long after = threads.getThreadAllocatedBytes(loop[0]);
    server.close().await();
    return String.format("%,6d B per request  %s", (after - before) / requests, name);
  }

  /** {@code count} GETs, 8 at a time, each chain sending its next when its last is answered. */
  private static void send(HttpClient client, int port, int count) {
    int chains = 8;
    List<Future<Void>> all = new ArrayList<>();
    for (int c = 0; c < chains; c++) {
      all.add(chain(client, port, count / chains));
    }
    Future.all(all).await();
  }

  private static Future<Void> chain(HttpClient client, int port, int count) {
    Promise<Void> done = Promise.promise();
    next(client, port, count, done);
    return done.future();
  }

  private static void next(HttpClient client, int port, int left, Promise<Void> done) {
    if (left == 0) {
      done.complete();
      return;
    }
    client.request(new RequestOptions().setPort(port).setHost("127.0.0.1").setURI("/api/ping").setTimeout(10_000))
        .compose(request -> request.send())
        .compose(response -> response.body())
        .onSuccess(body -> next(client, port, left - 1, done))
        .onFailure(done::fail);
  }
}

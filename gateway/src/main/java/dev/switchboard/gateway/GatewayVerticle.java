package dev.switchboard.gateway;

import dev.switchboard.shared.cluster.ClusterMembership;
import dev.switchboard.shared.config.SwitchboardConfig;
import dev.switchboard.shared.channels.ChannelInbox;
import dev.switchboard.shared.protocol.Addresses;
import dev.switchboard.shared.routes.Route;
import dev.switchboard.api.protocol.Asgi;
import dev.switchboard.api.protocol.CloseCodes;
import dev.switchboard.api.tasks.TaskClient;
import dev.switchboard.shared.tasks.RedisTaskClient;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocketHandshake;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The protocol server: one HTTP port for the API, {@code /health}, and WebSocket termination. Each socket
 * becomes ASGI-style events on the event bus: {@code websocket.connect} to its consumer's shared address,
 * then everything else to the instance that accepted it. Deployed once per event loop; instances share
 * the port.
 */
public class GatewayVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(GatewayVerticle.class);
  private static final int ABNORMAL_CLOSURE = 1006;
  private static final Buffer PONG = Buffer.buffer("{\"pong\":true}");
  private static final CharSequence APPLICATION_JSON = HttpHeaders.createOptimized("application/json");
  /**
   * Numbers the instances' own inboxes ({@code Addresses.inbox(node, instance)}): unique in the JVM, hence on the node
   * (tests deploy instances with services of their own, so the node's services cannot number them).
   */
  private static final AtomicInteger INSTANCES = new AtomicInteger();

  private final GatewayServices shared;
  private final TaskClient celery;
  private GatewayServices services;
  private RouteDirectory routes;
  private HttpRelay relay;
  private final OpenConnections connections = new OpenConnections();
  private SwitchboardConfig config;
  private HttpServer server;
  private Runnable stopWatchingNodes;
  private GatewayMeters meters;
  private DashboardFeed dashboard;
  private String nodeId;
  /** This instance's number on the node: its channels are named for it, and events for them come to its own inbox. */
  private int instance;
  private AccessControl access;

  /**
   * An instance sharing the node's {@code services}, created once by the node's composition root, whose route table
   * the caller starts before and stops after the gateway; {@code celery} (null: none) takes the task API's calls
   * marked {@code "options": {"celery": true}} to Python Celery workers, and answers for the ids it sent.
   */
  public GatewayVerticle(GatewayServices services, TaskClient celery) {
    this.shared = Objects.requireNonNull(services, "the node's gateway services (a test's lone instance: standalone())");
    this.celery = celery;
  }

  private GatewayVerticle(TaskClient celery) {
    this.shared = null;
    this.celery = celery;
  }

  /**
   * An instance with a route table, limits, meters and task client of its own, started and stopped with it: for a
   * test of one gateway instance. A node never builds one: its instances share the node's services.
   */
  public static GatewayVerticle standalone() {
    return standalone(null);
  }

  /** As {@link #standalone()}, sending the task API's Celery calls to {@code celery}. */
  public static GatewayVerticle standalone(TaskClient celery) {
    return new GatewayVerticle(celery);
  }

  @Override
  public Future<?> start() {
    config = SwitchboardConfig.fromJson(config());
    nodeId = ClusterMembership.of(vertx).nodeId();
    stopWatchingNodes = ClusterMembership.of(vertx).onNodeLeft(connections::consumerNodeLeft);
    services = shared != null ? shared : GatewayServices.create(vertx, config, new RouteDirectory(vertx),
        config.redisUrl().map(url -> RedisTaskClient.create(vertx, url, config.tasks())).orElse(null));
    meters = services.meters();
    startHeartbeats(config.websocket().pingIntervalMs());
    RedisTaskClient tasks = services.tasks();
    routes = services.routes();
    relay = new HttpRelay(vertx, routes, services.channels(), config);
    instance = INSTANCES.getAndIncrement() & Integer.MAX_VALUE;
    return (shared != null ? Future.succeededFuture() : routes.start())
        .compose(v -> relay.start())
        // events for this instance's sockets arrive on its own event loop, the sockets' (no hop through the node's inbox)
        .compose(v -> ChannelInbox.registerAt(vertx.eventBus(), Addresses.inbox(nodeId, instance), services.channels(),
            services.layerStats()))
        .compose(v -> AccessControl.create(vertx, config.security(), services.limits()))
        .compose(control -> {
          access = control;
          server = vertx.createHttpServer(serverOptions())
              .connectionHandler(services.httpMeters()::connected)
              .requestHandler(router(tasks))
              .webSocketHandshakeHandler(this::handshake)
              .webSocketHandler(ws -> { });
          return server.listen();
        })
        .onSuccess(s -> log.debug("gateway instance listening on {}", s.actualPort()));
  }

  private Router router(RedisTaskClient tasks) {
    Router router = Router.router(vertx);
    router.route().handler(services.httpMeters()::record); // first: every request is counted, refused ones too
    router.route().handler(access.hostGuard());
    PathCheck.install(router);
    router.route().handler(access::guardStateChange);
    ApiAccess.install(router, access);
    router.get("/health").handler(NodeHealth.handler(vertx, config()));
    router.get("/metrics").handler(MetricsEndpoint.handler(vertx, tasks, meters));
    router.get("/api/ping").handler(this::ping);
    router.get("/api/routes").handler(rc -> rc.json(routes.toJson()));
    TaskRoutes.mount(router, tasks, celery, config);
    QueueRoutes.mount(router, tasks);
    ScheduleRoutes.mount(router, tasks, config);
    WorkflowRoutes.mount(router, tasks, config);
    dashboard = DashboardRoutes.mount(vertx, router, tasks);
    ApiErrors.install(router);
    ChannelLayerRoutes.mount(router, vertx);
    services.httpMeters().labelFailures(router); // before the SockJS sub-router
    SockJsBridge.mount(vertx, router, config.bridges().sockJs(), access);
    // last: any other path an HTTP consumer announced goes to that consumer, over the event bus
    router.route().handler(relay::handle);
    return router;
  }

  /**
   * One timer per gateway instance (never one per socket): every quarter interval, each of its sockets is pinged
   * when due and closed when silent for two intervals ({@link WebSocketConnection#heartbeat}).
   */
  private void startHeartbeats(int intervalMs) {
    if (intervalMs <= 0) {
      return;
    }
    long intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMs);
    vertx.setPeriodic(Math.max(1, intervalMs / 4), timer -> {
      long now = System.nanoTime();
      for (WebSocketConnection connection : connections.snapshot()) {
        if (connection.heartbeat(now, intervalNanos)) {
          meters.silentClosed(connection.route());
        }
      }
    });
  }

  @Override
  public Future<?> stop() {
    stopWatchingNodes.run();
    if (dashboard != null) {
      dashboard.close();
    }
    connections.closeAll(CloseCodes.GOING_AWAY, "server shutting down");
    return server.shutdown().compose(v -> relay.stop()).compose(v -> shared != null ? Future.succeededFuture() : ownServicesStopped());
  }

  private Future<Void> ownServicesStopped() {
    if (services.tasks() != null) {
      services.tasks().close();
    }
    return routes.stop();
  }

  /** The services this instance uses: the node's, or its own. */
  public GatewayServices services() {
    return services;
  }

  /** The port actually bound (differs from the configured one when that is 0). */
  public int actualPort() {
    return server.actualPort();
  }

  /** A constant answer that touches nothing else: liveness for load balancers and the HTTP benchmark. */
  private void ping(RoutingContext rc) {
    rc.response().putHeader(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON).end(PONG);
  }

  private HttpServerOptions serverOptions() {
    SwitchboardConfig.WebSocket ws = config.websocket();
    // No permessage-deflate: for small chat-sized messages it costs both ends CPU and saves nothing
    // (Daphne and Node's ws do not offer it either); Vert.x would accept it whenever a client asks.
    return new HttpServerOptions()
        // Strict thread mode: every response is written on its connection's event loop (the shared clients hand
        // their results back on the caller's context: CallerContext), so Vert.x gives each HTTP connection a direct
        // write path instead of a multi-producer queue whose first 1,024-slot chunk (~4.7 KB) an upgraded
        // connection keeps for the WebSocket's whole life.
        .setStrictThreadMode(config.http().strictThreadMode())
        .setHost(config.http().host())
        .setPort(config.http().port())
        .setPerMessageWebSocketCompressionSupported(false)
        .setPerFrameWebSocketCompressionSupported(false)
        .setMaxWebSocketFrameSize(ws.maxFrameSize())
        .setMaxWebSocketMessageSize(ws.maxMessageSize())
        .setWebSocketClosingTimeout(closingTimeoutSeconds(ws.pingIntervalMs()));
  }

  /**
   * How long a close waits for the peer's close frame before dropping TCP: half a ping interval, 1 to 10 s (Vert.x's
   * default), so that a half-open peer closed by the heartbeat is gone soon after its two silent intervals.
   */
  static int closingTimeoutSeconds(int pingIntervalMs) {
    return pingIntervalMs <= 0 ? HttpServerOptions.DEFAULT_WEBSOCKET_CLOSING_TIMEOUT
        : Math.max(1, Math.min(HttpServerOptions.DEFAULT_WEBSOCKET_CLOSING_TIMEOUT, pingIntervalMs / 2000));
  }

  private void handshake(ServerWebSocketHandshake handshake) {
    if (!access.allowsHost(handshake)) {
      log.debug("refused WebSocket {} from {}: {}", handshake.path(), handshake.remoteAddress(),
          HostCheck.refusal(handshake.authority()));
      refuse(handshake, 421);
      return;
    }
    // an unannounced path is a fast 404: nobody serves it, so no consumer is asked
    var match = routes.match(Route.Kind.WEBSOCKET, handshake.path());
    if (match.isEmpty()) {
      refuse(handshake, 404);
      return;
    }
    access.admit(handshake)
        .onSuccess(admitted -> connect(handshake, match.get(), admitted))
        .onFailure(err -> {
          int status = err instanceof AccessControl.Denied denied ? denied.status : 500;
          log.debug("refused WebSocket {} from {}: {}", handshake.path(), handshake.remoteAddress(), err.getMessage());
          refuse(handshake, status);
        });
  }

  /**
   * Everything the handshake takes (the per-IP permit, the channel and whatever the consumer did in connect) is
   * owned by the connection from here on, and every outcome ends in exactly one of {@code open} or
   * {@code abandon}, which gives it all back. The client may hang up at any point: then Vert.x fails
   * {@code accept()} (synchronously, or through its Future) and {@code reject()}.
   */
  private void connect(ServerWebSocketHandshake handshake, RouteMatch match, AccessControl.Admitted admitted) {
    ClientLimits.Permit permit = admitted.permit();
    WebSocketConnection connection = new WebSocketConnection(vertx, services.channels(), Addresses.newChannel(nodeId, instance),
        match.pattern(), Addresses.consumer(match.consumer()), meters, config.websocket().outboundQueueBytes(), closed -> {
          connections.remove(closed);
          permit.release();
        });
    JsonObject connect = connectEvent(handshake, connection.channel(), match.params(), admitted);
    String consumer = match.consumer();
    long deadline = System.currentTimeMillis() + config.websocket().connectTimeoutMs();
    connection.listen()
        .compose(v -> ConsumerRequests.request(vertx, Addresses.consumer(consumer), connect, deadline, match.registeredBy()))
        .onSuccess(reply -> {
          JsonObject answer = reply.body();
          if (!Asgi.ACCEPT.equals(Asgi.type(answer))) {
            connection.abandon();
            refuse(handshake, 403);
            return;
          }
          connection.acceptedBy(answer);
          upgrade(handshake).onSuccess(ws -> {
            connections.add(connection);
            connection.open(ws);
          }).onFailure(err -> {
            log.debug("WebSocket {} from {} gone before its upgrade: {}", handshake.path(), handshake.remoteAddress(), err.toString());
            connection.abandon();
          });
        })
        .onFailure(err -> {
          connection.abandon();
          log.warn("no consumer {} answered the connect for {}: {}", consumer, handshake.path(), err.getMessage());
          if (!ConsumerRequests.isNoHandlers(err)) {
            // an instance may have taken the connect and still be in it: whichever did, ends it (it has no other way to know)
            vertx.eventBus().publish(Addresses.consumer(consumer), Asgi.disconnect(connection.channel(), ABNORMAL_CLOSURE));
          }
          refuse(handshake, ConsumerRequests.isNoHandlers(err) ? 503 : 504);
        });
  }

  /** {@code handshake.accept()}, whose synchronous failures (the client already gone) become a failed Future. */
  private static Future<io.vertx.core.http.ServerWebSocket> upgrade(ServerWebSocketHandshake handshake) {
    try {
      return handshake.accept();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /** Refuses the upgrade; a client that has already hung up needs no answer. */
  private static void refuse(ServerWebSocketHandshake handshake, int status) {
    try {
      handshake.reject(status).onFailure(err -> log.debug("could not refuse WebSocket {}: {}", handshake.path(), err.toString()));
    } catch (RuntimeException e) {
      log.debug("could not refuse WebSocket {}: {}", handshake.path(), e.toString());
    }
  }

  /**
   * The scope a consumer sees. {@code user} is the subject of the verified token (null without one), never
   * anything the client sent; the token itself (Authorization header, {@code token} query parameter) is removed.
   */
  private static JsonObject connectEvent(ServerWebSocketHandshake handshake, String channel, JsonObject params,
                                         AccessControl.Admitted admitted) {
    JsonObject headers = new JsonObject();
    handshake.headers().forEach(header -> headers.put(header.getKey().toLowerCase(), header.getValue()));
    headers.remove("authorization");
    String protocols = handshake.headers().get("sec-websocket-protocol");
    JsonArray subprotocols = new JsonArray();
    if (protocols != null) {
      for (String protocol : protocols.split(",")) {
        subprotocols.add(protocol.trim());
      }
    }
    return new JsonObject()
        .put(Asgi.TYPE, Asgi.CONNECT)
        .put(Asgi.CHANNEL, channel)
        .put("path", handshake.path())
        .put("params", params)
        .put("query", admitted.query())
        .put("headers", headers)
        .put("subprotocols", subprotocols)
        .put("user", admitted.user());
  }
}

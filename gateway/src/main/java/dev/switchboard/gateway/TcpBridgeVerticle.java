package dev.switchboard.gateway;

import dev.switchboard.shared.config.BridgeSettings;
import dev.switchboard.shared.config.SecuritySettings;
import dev.switchboard.shared.config.SwitchboardConfig;
import dev.switchboard.shared.protocol.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.bridge.BridgeEventType;
import io.vertx.ext.bridge.BridgeOptions;
import io.vertx.ext.eventbus.bridge.tcp.BridgeEvent;
import io.vertx.ext.eventbus.bridge.tcp.TcpEventBusBridge;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TCP event-bus bridge (vertx-tcp-eventbus-bridge: 4-byte big-endian length, then a JSON frame) on its own
 * port, so services in any language can send, request, publish and register on the event bus. Only the
 * addresses in {@code tcpBridge.inbound} (send/publish) and {@code tcpBridge.outbound} (register) are
 * permitted, nothing by default; replies to requests the client receives are always allowed. Each connection
 * counts against the per-IP limits, and one whose frame announces more than {@code tcpBridge.maxFrameBytes}
 * is closed at once. With {@code tcp-bridge} in {@code auth.protect}, a connection must first send
 * {@code {"type":"ping","headers":{"authorization":"Bearer JWT"}}}; anything else first, or a bad token, closes
 * it. What a client sends to a node's inbox (a channel) carries the addresses it registered
 * ({@code Addresses.BRIDGE_SENDER_HEADER}), so it reaches only sockets routed to the consumer it serves, unless
 * {@code tcpBridge.anyChannel}. Deployed once per node.
 */
public class TcpBridgeVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(TcpBridgeVerticle.class);

  /** Authentication of each open connection (only when a token is required); entries leave with their socket. */
  private final Map<NetSocket, Future<String>> sessions = new HashMap<>();
  /** The permitted addresses each open connection has registered, at most {@link #MAX_REGISTRATIONS} each. */
  private final Map<NetSocket, Set<String>> registered = new HashMap<>();
  /** Registrations one connection may hold; more are refused. */
  static final int MAX_REGISTRATIONS = 1024;
  /** Open connections, closed on undeploy; bounded by the per-IP limits. */
  private final Set<NetSocket> open = new HashSet<>();
  private final AtomicLong oversizeClosed = new AtomicLong();
  private final AtomicLong malformedClosed = new AtomicLong();
  private BridgeSettings.Tcp settings;
  private final GatewayServices shared;
  private ClientLimits limits;
  private TokenAuth tokens;
  private boolean tokenRequired;
  private GuardedNetServers servers;
  private TcpEventBusBridge bridge;
  private BridgeRoutes routes;
  private Runnable stopRepeating = () -> { };

  /** A bridge counting clients' connections in the node's limits, with its gateways'. */
  public TcpBridgeVerticle(GatewayServices shared) {
    this.shared = Objects.requireNonNull(shared, "the node's gateway services (a test's lone bridge: standalone())");
  }

  private TcpBridgeVerticle() {
    this.shared = null;
  }

  /** A bridge with per-client limits of its own: for a test of the bridge alone; a node never builds one. */
  public static TcpBridgeVerticle standalone() {
    return new TcpBridgeVerticle();
  }

  @Override
  public Future<?> start() {
    SwitchboardConfig config = SwitchboardConfig.fromJson(config());
    settings = config.bridges().tcp();
    limits = shared != null ? shared.limits()
        : ClientLimits.create(config.security().limits(), dev.switchboard.shared.metrics.SwitchboardMetrics.registry(vertx));
    routes = new BridgeRoutes(vertx, settings.inbound(), settings.routes());
    stopRepeating = routes.repeatWhenNodesJoin();
    return TokenAuth.create(vertx, config.security().auth()).compose(auth -> {
      tokens = auth;
      tokenRequired = auth.protects(SecuritySettings.TCP_BRIDGE);
      servers = new GuardedNetServers((VertxInternal) vertx, this::guard);
      BridgeOptions permissions = BridgePermissions.apply(new BridgeOptions(), settings.inbound(), settings.outbound());
      bridge = TcpEventBusBridge.create(servers, permissions, new NetServerOptions(), this::onBridgeEvent);
      return vertx.eventBus().consumer(Addresses.BRIDGE_ECHO, message -> message.reply(message.body())).completion()
          .compose(v -> bridge.listen(settings.port(), settings.host()));
    }).onSuccess(b -> log.info("TCP event-bus bridge listening on {}:{} (inbound {}, outbound {}, routes {}, token {})",
        settings.host(), actualPort(), settings.inbound(), settings.outbound(), settings.routes(),
        tokenRequired ? "required" : "not required"));
  }

  @Override
  public Future<?> stop() {
    stopRepeating.run();
    new ArrayList<>(open).forEach(NetSocket::close);
    return bridge == null ? Future.succeededFuture() : bridge.close();
  }

  /** The port the bridge listens on (differs from the configured one when that is 0). */
  public int actualPort() {
    return servers.created().actualPort();
  }

  /** Connections closed for announcing a frame over the limit. */
  public long oversizeClosed() {
    return oversizeClosed.get();
  }

  /** Connections closed for a frame that is not a bridge frame (not JSON, unknown type, wrongly typed fields). */
  public long malformedClosed() {
    return malformedClosed.get();
  }

  private Handler<NetSocket> guard(Handler<NetSocket> bridgeHandler) {
    return socket -> {
      ClientLimits.Admission admission = limits.admit(socket.remoteAddress().hostAddress());
      if (!admission.admitted()) {
        log.debug("TCP bridge refused {}: {}", socket.remoteAddress(), admission.verdict());
        socket.close();
        return;
      }
      ((NetSocketInternal) socket).channelHandlerContext().pipeline()
          .addFirst("switchboard-frame-limit", new FrameLimit(settings.maxFrameBytes(), () -> {
            oversizeClosed.incrementAndGet();
            log.debug("TCP bridge closed {}: frame over {} bytes", socket.remoteAddress(), settings.maxFrameBytes());
          }))
          .addAfter("switchboard-frame-limit", "switchboard-frame-shape", new FrameShape(() -> {
            malformedClosed.incrementAndGet();
            log.debug("TCP bridge closed {}: malformed frame", socket.remoteAddress());
          }));
      open.add(socket);
      socket.closeHandler(v -> {
        admission.permit().release();
        sessions.remove(socket);
        registered.remove(socket);
        open.remove(socket);
        routes.closed(socket);
      });
      bridgeHandler.handle(socket);
    };
  }

  private void onBridgeEvent(BridgeEvent event) {
    if (!tokenRequired) {
      event.complete(admitFrame(event));
      return;
    }
    NetSocket socket = event.socket();
    Future<String> session = sessions.get(socket);
    if (session == null && event.type() == BridgeEventType.SOCKET_PING) {
      session = tokens.authenticate(bearer(event.getRawMessage()));
      sessions.put(socket, session);
    }
    if (session == null) {
      event.complete(false);
      closeSoon(socket); // after the bridge's error frame
      return;
    }
    session.onComplete(result -> {
      event.complete(result.succeeded() && admitFrame(event));
      if (result.failed()) {
        log.debug("TCP bridge refused {}: {}", socket.remoteAddress(), result.cause().getMessage());
        closeSoon(socket);
      }
    });
  }

  /** Route announcements are completed and remembered here before the bridge publishes them (see {@link BridgeRoutes}). */
  private boolean admitFrame(BridgeEvent event) {
    JsonObject frame = event.getRawMessage();
    if (frame == null) {
      return true;
    }
    String address = frame.getValue("address") instanceof String text ? text : null;
    return switch (event.type()) {
      case REGISTER -> registering(event.socket(), address);
      case UNREGISTER -> {
        registered.getOrDefault(event.socket(), Set.of()).remove(address);
        yield true;
      }
      case SEND, PUBLISH -> {
        stampSender(event.socket(), address, frame);
        yield routes.onFrame(event.socket(), address, frame);
      }
      default -> true;
    };
  }

  /** Remembers a registration the bridge will allow (it checks the permissions itself after this hook). */
  private boolean registering(NetSocket socket, String address) {
    if (address == null || !BridgePermissions.permits(settings.outbound(), address)) {
      return true; // the bridge refuses it itself
    }
    Set<String> addresses = registered.computeIfAbsent(socket, s -> new HashSet<>());
    if (addresses.size() >= MAX_REGISTRATIONS && !addresses.contains(address)) {
      log.debug("TCP bridge refused a registration of {}: {} already", socket.remoteAddress(), MAX_REGISTRATIONS);
      return false;
    }
    addresses.add(address);
    return true;
  }

  /**
   * To an inbox or an HTTP inbox: the header naming what this client registered replaces whatever the client sent in
   * its place.
   */
  private void stampSender(NetSocket socket, String address, JsonObject frame) {
    if (settings.anyChannel() || address == null
        || !address.startsWith(Addresses.INBOX_PREFIX) && !address.startsWith(Addresses.HTTP_INBOX_PREFIX)) {
      return;
    }
    JsonObject headers = frame.getValue("headers") instanceof JsonObject json ? json : new JsonObject();
    // event-bus headers ignore case: a client's own spelling of the name must not come first
    headers.fieldNames().removeIf(name -> name.equalsIgnoreCase(Addresses.BRIDGE_SENDER_HEADER));
    Set<String> addresses = registered.getOrDefault(socket, Set.of());
    headers.put(Addresses.BRIDGE_SENDER_HEADER, addresses.isEmpty() ? "(none)" : String.join(" ", addresses));
    frame.put("headers", headers);
  }

  private void closeSoon(NetSocket socket) {
    vertx.runOnContext(v -> socket.close());
  }

  private static String bearer(JsonObject frame) {
    JsonObject headers = frame == null ? null : frame.getJsonObject("headers");
    String authorization = headers == null ? null : headers.getString("authorization");
    if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return authorization.substring(7).trim();
    }
    return authorization == null ? "" : authorization;
  }
}

package dev.switchboard.gateway;

import dev.switchboard.shared.config.BridgeSettings;
import io.vertx.core.Vertx;
import io.vertx.ext.bridge.BridgeEventType;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.sockjs.BridgeEvent;
import io.vertx.ext.web.handler.sockjs.SockJSBridgeOptions;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;
import io.vertx.ext.web.handler.sockjs.Transport;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The SockJS event-bus bridge for web pages at {@code /eventbus} (the {@code vertx3-eventbus-client} script
 * connects to it), with the permissions of {@code sockjsBridge.inbound/outbound} (nothing by default), the
 * Origin allow-list, JWT when a key is configured and {@code /eventbus} is not public (token in {@code ?token=}), the
 * per-IP limits per session, and messages over {@code sockjsBridge.maxMessageBytes} refused (413 on the HTTP
 * request, or the session closed). The WebSocket transport is off: the gateway's WebSocket handshakes go to its
 * consumer routes, so pages use SockJS's XHR streaming and polling transports.
 */
final class SockJsBridge {

  /** Where the bridge is mounted. */
  static final String PATH = "/eventbus";

  private final BridgeSettings.SockJs settings;
  private final ClientLimits limits;
  /** The per-IP slot of each open session; entries leave when the session closes. */
  private final Map<SockJSSocket, ClientLimits.Permit> permits = new ConcurrentHashMap<>();

  private SockJsBridge(BridgeSettings.SockJs settings, ClientLimits limits) {
    this.settings = settings;
    this.limits = limits;
  }

  static void mount(Vertx vertx, Router router, BridgeSettings.SockJs settings, AccessControl access) {
    SockJsBridge bridge = new SockJsBridge(settings, access.limits());
    SockJSBridgeOptions options = BridgePermissions.apply(new SockJSBridgeOptions(), settings.inbound(), settings.outbound());
    SockJSHandlerOptions handlerOptions = new SockJSHandlerOptions()
        .addDisabledTransport(Transport.WEBSOCKET.name())
        .setRegisterWriteHandler(false);
    router.route("/eventbus/*").handler(rc -> access.guardBridge(rc, settings.maxMessageBytes()));
    router.post("/eventbus/*").handler(BodyHandler.create(false).setBodyLimit(settings.maxMessageBytes()));
    router.route("/eventbus/*").subRouter(SockJSHandler.create(vertx, handlerOptions).bridge(options, bridge::onEvent));
  }

  private void onEvent(BridgeEvent event) {
    SockJSSocket socket = event.socket();
    BridgeEventType type = event.type();
    if (type == BridgeEventType.SOCKET_CREATED) {
      ClientLimits.Admission admission = limits.admit(socket.remoteAddress().hostAddress());
      if (admission.admitted()) {
        permits.put(socket, admission.permit());
      }
      event.complete(admission.admitted());
    } else if (type == BridgeEventType.SOCKET_CLOSED) {
      ClientLimits.Permit permit = permits.remove(socket);
      if (permit != null) {
        permit.release();
      }
      event.complete(true);
    } else if ((type == BridgeEventType.SEND || type == BridgeEventType.PUBLISH || type == BridgeEventType.REGISTER)
        && event.getRawMessage() != null && event.getRawMessage().encode().length() > settings.maxMessageBytes()) {
      event.complete(false);
      socket.close();
    } else {
      event.complete(true);
    }
  }
}

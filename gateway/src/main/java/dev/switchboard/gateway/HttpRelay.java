package dev.switchboard.gateway;

import dev.switchboard.shared.channels.LocalChannels;

import dev.switchboard.api.protocol.AsgiHttp;
import dev.switchboard.shared.cluster.ClusterMembership;
import dev.switchboard.shared.config.SwitchboardConfig;
import dev.switchboard.shared.metrics.MetricNames;
import dev.switchboard.shared.metrics.SwitchboardMetrics;
import dev.switchboard.shared.channels.ChannelInbox;
import dev.switchboard.shared.protocol.Addresses;
import dev.switchboard.shared.routes.Route;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;

/**
 * HTTP over the event bus, Channels' {@code AsyncHttpConsumer} routing: a request whose path matches an announced
 * HTTP route is relayed to an instance of its consumer on any node ({@link RelayedRequest}), and the response is
 * streamed back. Other paths go on through the router (404). One inbox per gateway instance takes every response
 * event, each naming its request; at most {@link #MAX_IN_FLIGHT} requests are relayed at once per instance (503
 * beyond). Failures are counted by reason ({@code switchboard_http_relay_failures_total}).
 */
final class HttpRelay {

  static final int MAX_IN_FLIGHT = 10_000;

  private final Vertx vertx;
  private final RouteDirectory routes;
  private final SwitchboardConfig config;
  private final String nodeId;
  private final String inbox;
  private final Map<String, RelayedRequest> open = new HashMap<>();
  private final MeterRegistry registry;
  private MessageConsumer<JsonObject> inboxConsumer;

  private final LocalChannels channels;

  /** The node's open channels: a relayed request is one while it lasts. */
  LocalChannels channels() {
    return channels;
  }

  HttpRelay(Vertx vertx, RouteDirectory routes, LocalChannels channels, SwitchboardConfig config) {
    this.vertx = vertx;
    this.channels = channels;
    this.routes = routes;
    this.config = config;
    this.nodeId = ClusterMembership.of(vertx).nodeId();
    this.inbox = Addresses.newHttpInbox(nodeId);
    this.registry = SwitchboardMetrics.registry(vertx);
  }

  /** Registers the inbox; completes once consumers anywhere can answer to it. */
  Future<Void> start() {
    inboxConsumer = vertx.eventBus().consumer(inbox, this::onResponseEvent);
    return inboxConsumer.completion();
  }

  /** Gives up on every open request (503 when nothing was sent yet) and unregisters. */
  Future<Void> stop() {
    new ArrayList<>(open.values()).forEach(request -> request.abort("gateway shutting down"));
    return inboxConsumer == null ? Future.succeededFuture() : inboxConsumer.unregister();
  }

  /** Router handler, last in the table: relays a matched request, passes anything else on. */
  void handle(RoutingContext rc) {
    var match = routes.match(Route.Kind.HTTP, rc.normalizedPath());
    if (match.isEmpty()) {
      rc.next();
      return;
    }
    rc.put(HttpServerMeters.ROUTE, match.get().pattern()); // the HTTP meters' route label: the consumer's pattern
    if (open.size() >= MAX_IN_FLIGHT) {
      failed("too_many_in_flight");
      rc.fail(503, new IllegalStateException("too many requests in flight on this gateway (" + MAX_IN_FLIGHT + ")"));
      return;
    }
    String length = rc.request().getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null && declaredLength(length) > config.http().maxBodySize()) {
      failed("body_too_large");
      rc.fail(413, new IllegalArgumentException("request body over " + config.http().maxBodySize() + " bytes"));
      return;
    }
    String id = Addresses.newChannel(nodeId);
    RelayedRequest request = new RelayedRequest(this, rc, id, match.get(), rc.get(AccessControl.USER));
    open.put(id, request);
    request.begin();
  }

  private void onResponseEvent(Message<JsonObject> message) {
    JsonObject event = message.body();
    RelayedRequest request = event == null ? null : open.get(event.getString(AsgiHttp.REQUEST_ID, ""));
    String bridgeSender = message.headers().get(Addresses.BRIDGE_SENDER_HEADER);
    if (request != null && bridgeSender != null && !ChannelInbox.servedBy(request, bridgeSender)) {
      request = null; // a bridge client answering an exchange of a consumer it does not serve: as if not open
    }
    if (request == null) {
      if (message.replyAddress() != null) {
        message.fail(410, "the request is no longer open (client gone or timed out)");
      }
      return;
    }
    switch (event.getString("type", "")) {
      case AsgiHttp.RESPONSE_START -> request.responseStart(event);
      case AsgiHttp.RESPONSE_BODY -> request.responseBody(event, message);
      default -> {
        if (message.replyAddress() != null) {
          message.fail(400, "expected http.response.start or http.response.body");
        }
      }
    }
  }

  void ended(String id) {
    open.remove(id);
  }

  void failed(String reason) {
    Counter.builder(MetricNames.HTTP_RELAY_FAILURES).tag(MetricNames.REASON, reason).tag(MetricNames.NODE, nodeId)
        .description("HTTP requests not relayed to the end, by reason").register(registry).increment();
  }

  Vertx vertx() {
    return vertx;
  }

  SwitchboardConfig config() {
    return config;
  }

  String inbox() {
    return inbox;
  }

  private static long declaredLength(String length) {
    try {
      return Long.parseLong(length.trim());
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }
}

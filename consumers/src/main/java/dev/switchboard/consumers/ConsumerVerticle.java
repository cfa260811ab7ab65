package dev.switchboard.consumers;

import dev.switchboard.api.tasks.TaskClient;

import dev.switchboard.api.channels.ChannelLayer;
import dev.switchboard.api.consumers.ConsumerDriver;
import dev.switchboard.api.consumers.WebsocketConsumer;
import dev.switchboard.shared.apps.WebsocketRoute;
import dev.switchboard.shared.channels.EventBusChannelLayer;
import dev.switchboard.shared.cluster.ClusterMembership;
import dev.switchboard.shared.config.SwitchboardConfig;
import dev.switchboard.shared.protocol.Addresses;
import dev.switchboard.api.protocol.Asgi;
import dev.switchboard.api.protocol.CloseCodes;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one consumer name: takes {@code websocket.connect} on the name's shared address (the event bus
 * balances connects across every instance in the cluster), and once a connection is accepted receives
 * the rest of its events on this instance's own address. Undeploying closes the instance's sockets with
 * 1012 so their clients reconnect to another instance.
 */
public class ConsumerVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(ConsumerVerticle.class);

  private final String name;
  private final WebsocketRoute route;
  private final JsonObject settings;
  private final boolean usesDatabase;
  private final TaskClient tasks;
  private final Map<String, ConsumerConnection> connections = new HashMap<>();
  /** Channels whose connect hook is running, each with the disconnect that arrived meanwhile (else null). */
  private final Map<String, JsonObject> connecting = new HashMap<>();
  private final String instanceAddress;
  private String nodeId;
  private ConsumerEnvironment environment;

  /** Serves {@code route}'s consumer with the app's {@code settings}; {@code usesDatabase}: the app may have a pool. */
  public ConsumerVerticle(WebsocketRoute route, JsonObject settings, boolean usesDatabase) {
    this(route, settings, usesDatabase, null);
  }

  /** As above, with the node's task client ({@code null}: the consumers get none). */
  public ConsumerVerticle(WebsocketRoute route, JsonObject settings, boolean usesDatabase, TaskClient tasks) {
    this.tasks = tasks;
    this.route = route;
    this.name = route.consumer();
    this.settings = settings;
    this.usesDatabase = usesDatabase;
    this.instanceAddress = Addresses.newConsumerInstance(name);
  }

  @Override
  public Future<?> start() {
    nodeId = ClusterMembership.of(vertx).nodeId();
    SwitchboardConfig config = SwitchboardConfig.fromJson(config());
    ChannelLayer channelLayer = new EventBusChannelLayer(vertx, config.channels().requestTimeoutMs());
    environment = new ConsumerEnvironment(route.app(), vertx, channelLayer, tasks, config, settings, usesDatabase);
    MessageConsumer<JsonObject> connects = vertx.eventBus().consumer(Addresses.consumer(name), this::onConnect);
    MessageConsumer<JsonObject> events = vertx.eventBus().consumer(instanceAddress, this::onEvent);
    return Future.all(connects.completion(), events.completion());
  }

  @Override
  public Future<?> stop() {
    connections.values().forEach(connection -> connection.shutdown(CloseCodes.SERVICE_RESTART));
    connections.clear();
    return environment == null ? Future.succeededFuture() : environment.close();
  }

  private void onConnect(Message<JsonObject> message) {
    JsonObject event = message.body();
    String channel = event.getString(Asgi.CHANNEL);
    if (channel != null && Asgi.DISCONNECT.equals(Asgi.type(event))) {
      onAbandoned(channel, event);
      return;
    }
    if (channel == null || !Asgi.CONNECT.equals(Asgi.type(event))) {
      message.reply(Asgi.close(CloseCodes.POLICY_VIOLATION, "expected websocket.connect with a channel"));
      return;
    }
    ConsumerDriver consumer;
    Future<Void> connected;
    try {
      WebsocketConsumer created = route.factory().get();
      consumer = ConsumerDriver.bind(created, environment, event);
    } catch (RuntimeException e) {
      log.warn("consumer {} of app {} could not be created for channel {}", name, route.app(), channel, e);
      message.reply(Asgi.close(CloseCodes.INTERNAL_ERROR, "connect failed"));
      return;
    }
    try {
      connected = consumer.connect();
    } catch (RuntimeException e) {
      connected = Future.failedFuture(e);
    }
    connecting.put(channel, null);
    connected.onComplete(result -> {
      JsonObject abandoned = connecting.remove(channel);
      if (abandoned != null) {
        if (result.succeeded() && consumer.accepted()) {
          // the gateway stopped waiting (504) and the client is gone: the consumer's connect is undone at once
          new ConsumerConnection(name, consumer).dispatch(abandoned);
        }
      } else if (result.failed()) {
        log.warn("consumer {} failed to connect channel {}", name, channel, result.cause());
        message.reply(Asgi.close(CloseCodes.INTERNAL_ERROR, "connect failed"));
      } else if (!consumer.accepted()) {
        message.reply(Asgi.close(CloseCodes.POLICY_VIOLATION, "rejected by consumer " + name));
      } else {
        connections.put(channel, new ConsumerConnection(name, consumer));
        message.reply(new JsonObject()
            .put(Asgi.TYPE, Asgi.ACCEPT)
            .put(Asgi.SUBPROTOCOL, consumer.subprotocol())
            .put(Asgi.INSTANCE, instanceAddress)
            .put(Asgi.NODE, nodeId)
            .put(Asgi.BINARY, consumer.acceptsBinary()));
      }
    });
  }

  /**
   * The gateway gave up waiting for this connect (504) and published its disconnect to every instance: the one that
   * took the connect ends it, now or as soon as its connect hook completes.
   */
  private void onAbandoned(String channel, JsonObject disconnect) {
    if (connecting.containsKey(channel)) {
      connecting.put(channel, disconnect);
      return;
    }
    ConsumerConnection connection = connections.remove(channel);
    if (connection != null) {
      connection.dispatch(disconnect);
    }
  }

  private void onEvent(Message<JsonObject> message) {
    JsonObject event = message.body();
    String channel = event.getString(Asgi.CHANNEL);
    ConsumerConnection connection = connections.get(channel);
    if (connection == null) {
      return; // the connection ended here already; at-most-once, as in Channels
    }
    if (Asgi.DISCONNECT.equals(Asgi.type(event))) {
      connections.remove(channel);
    }
    connection.dispatch(event);
  }

  /** The number of open connections this instance serves. */
  public int size() {
    return connections.size();
  }
}

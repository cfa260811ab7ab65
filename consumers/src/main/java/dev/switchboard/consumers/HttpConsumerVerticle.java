package dev.switchboard.consumers;

import dev.switchboard.api.tasks.TaskClient;

import dev.switchboard.api.protocol.AsgiHttp;
import dev.switchboard.shared.apps.HttpRoute;
import dev.switchboard.shared.channels.EventBusChannelLayer;
import dev.switchboard.shared.cluster.ClusterMembership;
import dev.switchboard.shared.config.SwitchboardConfig;
import dev.switchboard.shared.protocol.Addresses;
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
 * Serves one HTTP consumer name: takes {@code http.request} on the name's shared address (balanced across every
 * instance in the cluster), answers {@code http.accept} at once, and receives the rest of each exchange (more body,
 * group messages, {@code http.disconnect}) on this instance's own address. At most {@link #MAX_EXCHANGES} exchanges
 * at once; beyond, a request is answered 503 by this instance. Undeploying ends open responses.
 */
public class HttpConsumerVerticle extends VerticleBase {

  /** Open exchanges per instance. */
  public static final int MAX_EXCHANGES = 10_000;
  private static final Logger log = LoggerFactory.getLogger(HttpConsumerVerticle.class);

  private final String name;
  private final HttpRoute route;
  private final JsonObject settings;
  private final boolean usesDatabase;
  private final String instanceAddress;
  private final Map<String, HttpExchange> exchanges = new HashMap<>();
  private final TaskClient tasks;
  private ConsumerEnvironment environment;
  private String nodeId;
  private SwitchboardConfig config;

  /** Serves {@code route}'s consumer with the app's {@code settings}; {@code usesDatabase}: the app may have a pool. */
  public HttpConsumerVerticle(HttpRoute route, JsonObject settings, boolean usesDatabase) {
    this(route, settings, usesDatabase, null);
  }

  /** As above, with the node's task client ({@code null}: the consumers get none). */
  public HttpConsumerVerticle(HttpRoute route, JsonObject settings, boolean usesDatabase, TaskClient tasks) {
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
    config = SwitchboardConfig.fromJson(config());
    environment = new ConsumerEnvironment(route.app(), vertx,
        new EventBusChannelLayer(vertx, config.channels().requestTimeoutMs()), tasks, config, settings, usesDatabase);
    MessageConsumer<JsonObject> requests = vertx.eventBus().consumer(Addresses.consumer(name), this::onRequest);
    MessageConsumer<JsonObject> events = vertx.eventBus().consumer(instanceAddress, this::onEvent);
    return Future.all(requests.completion(), events.completion());
  }

  @Override
  public Future<?> stop() {
    new java.util.ArrayList<>(exchanges.values()).forEach(HttpExchange::abort);
    exchanges.clear();
    return environment == null ? Future.succeededFuture() : environment.close();
  }

  private void onRequest(Message<JsonObject> message) {
    JsonObject event = message.body();
    String id = event == null ? null : event.getString(AsgiHttp.REQUEST_ID);
    String reply = event == null ? null : event.getString(AsgiHttp.REPLY);
    if (id == null || reply == null || !AsgiHttp.REQUEST.equals(event.getString("type"))) {
      message.fail(400, "expected http.request with a request id and a reply address");
      return;
    }
    if (exchanges.size() >= MAX_EXCHANGES) {
      message.fail(503, "consumer " + name + " has " + MAX_EXCHANGES + " open exchanges");
      return;
    }
    HttpExchange exchange = new HttpExchange(vertx, name, route.factory().get(), event, environment,
        config.http().maxBodySize(), () -> exchanges.remove(id));
    exchanges.put(id, exchange);
    message.reply(new JsonObject().put("type", AsgiHttp.ACCEPT).put("instance", instanceAddress).put("node", nodeId));
    exchange.received(event, null);
  }

  private void onEvent(Message<JsonObject> message) {
    JsonObject event = message.body();
    String id = event.getString(AsgiHttp.REQUEST_ID, event.getString("channel"));
    HttpExchange exchange = id == null ? null : exchanges.get(id);
    if (exchange == null) {
      if (message.replyAddress() != null) {
        message.fail(404, "no open exchange " + id);
      }
      return; // the exchange ended here already; at most once, as in Channels
    }
    switch (event.getString("type", "")) {
      case AsgiHttp.REQUEST -> exchange.received(event, message);
      case AsgiHttp.DISCONNECT -> exchange.clientGone();
      default -> exchange.groupMessage(event);
    }
  }

  /** Open exchanges on this instance. */
  public int size() {
    return exchanges.size();
  }

  static Logger log() {
    return log;
  }
}

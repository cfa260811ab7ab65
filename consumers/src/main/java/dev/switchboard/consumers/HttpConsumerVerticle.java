package dev.switchboard.consumers;

import dev.switchboard.api.channels.ChannelLayer;
import dev.switchboard.api.http.HttpConsumer;
import dev.switchboard.api.protocol.AsgiHttp;
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
import java.util.function.Supplier;
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
  private final Supplier<? extends HttpConsumer> factory;
  private final String instanceAddress;
  private final Map<String, HttpExchange> exchanges = new HashMap<>();
  private ChannelLayer channelLayer;
  private String nodeId;
  private SwitchboardConfig config;

  public HttpConsumerVerticle(String name, Supplier<? extends HttpConsumer> factory) {
    this.name = name;
    this.factory = factory;
    this.instanceAddress = Addresses.newConsumerInstance(name);
  }

  @Override
  public Future<?> start() {
    nodeId = ClusterMembership.of(vertx).nodeId();
    config = SwitchboardConfig.fromJson(config());
    channelLayer = new EventBusChannelLayer(vertx, config.channels().requestTimeoutMs());
    MessageConsumer<JsonObject> requests = vertx.eventBus().consumer(Addresses.consumer(name), this::onRequest);
    MessageConsumer<JsonObject> events = vertx.eventBus().consumer(instanceAddress, this::onEvent);
    return Future.all(requests.completion(), events.completion());
  }

  @Override
  public Future<?> stop() {
    exchanges.values().forEach(HttpExchange::abort);
    exchanges.clear();
    return Future.succeededFuture();
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
    HttpConsumer consumer = factory.get();
    HttpExchange exchange = new HttpExchange(vertx, name, consumer, event, channelLayer, config(),
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

package dev.switchboard.consumers;

import dev.switchboard.api.http.HttpConsumer;
import dev.switchboard.consumers.http.RoomEventsConsumer;
import dev.switchboard.consumers.http.RoomMessagesConsumer;
import dev.switchboard.shared.protocol.Addresses;
import dev.switchboard.shared.routes.Route;
import dev.switchboard.shared.routes.RouteAnnouncer;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The {@code consumers} role: deploys every shipped consumer, one {@link ConsumerVerticle} per event loop
 * for each, announces their routes to every gateway of the cluster ({@link RouteAnnouncer}), and answers this
 * node's health query for the role.
 */
public class ConsumersVerticle extends VerticleBase {

  /** Consumer name → factory; the gateway's route table maps URL patterns to these names. */
  public static Map<String, Supplier<? extends WebsocketConsumer>> shipped() {
    Map<String, Supplier<? extends WebsocketConsumer>> consumers = new LinkedHashMap<>();
    consumers.put(EchoConsumer.NAME, EchoConsumer::new);
    consumers.put(TaskProgressConsumer.NAME, TaskProgressConsumer::new);
    consumers.put(ChatConsumer.NAME, ChatConsumer::new);
    consumers.put(RoomConsumer.NAME, RoomConsumer::new);
    return consumers;
  }

  /** The URL patterns the shipped consumers serve, announced to every gateway while this verticle runs. */
  public static List<Route> shippedRoutes() {
    return List.of(
        Route.websocket("/ws/echo", EchoConsumer.NAME),
        Route.websocket("/ws/chat/:room", ChatConsumer.NAME),
        Route.websocket("/ws/rooms/:room", RoomConsumer.NAME),
        Route.websocket("/ws/tasks/:id", TaskProgressConsumer.NAME),
        Route.http(RoomMessagesConsumer.PATTERN, RoomMessagesConsumer.NAME),
        Route.http(RoomEventsConsumer.PATTERN, RoomEventsConsumer.NAME));
  }

  /** HTTP consumer name → factory, Channels' {@code AsyncHttpConsumer}s of the shipped apps. */
  public static Map<String, Supplier<? extends HttpConsumer>> shippedHttp() {
    Map<String, Supplier<? extends HttpConsumer>> consumers = new LinkedHashMap<>();
    consumers.put(RoomMessagesConsumer.NAME, RoomMessagesConsumer::new);
    consumers.put(RoomEventsConsumer.NAME, RoomEventsConsumer::new);
    return consumers;
  }

  private RouteAnnouncer announcer;

  @Override
  public Future<?> start() {
    int instances = Math.max(1, Runtime.getRuntime().availableProcessors());
    JsonArray names = new JsonArray();
    Future<?> deployed = Future.all(shipped().entrySet().stream()
        .map(entry -> {
          names.add(entry.getKey());
          return vertx.deployVerticle(() -> new ConsumerVerticle(entry.getKey(), entry.getValue()),
              new DeploymentOptions().setConfig(config()).setInstances(instances));
        })
        .toList())
        .compose(v -> Future.all(shippedHttp().entrySet().stream()
            .map(entry -> {
              names.add(entry.getKey());
              return vertx.deployVerticle(() -> new HttpConsumerVerticle(entry.getKey(), entry.getValue()),
                  new DeploymentOptions().setConfig(config()).setInstances(instances));
            })
            .toList()));
    JsonObject health = new JsonObject().put("status", "UP").put("consumers", names);
    announcer = new RouteAnnouncer(vertx, "consumers-" + deploymentID());
    // announced last: once a gateway hears of a route, the consumers behind it are listening
    return deployed.compose(v -> vertx.eventBus()
            .<JsonObject>localConsumer(Addresses.localHealth("consumers"), msg -> msg.reply(health))
            .completion())
        .compose(v -> announcer.announce(shippedRoutes()));
  }

  /** Withdraws the routes first, so gateways answer 404 rather than relaying to consumers that are stopping. */
  @Override
  public Future<?> stop() {
    return announcer == null ? Future.succeededFuture() : announcer.withdraw().otherwiseEmpty();
  }
}

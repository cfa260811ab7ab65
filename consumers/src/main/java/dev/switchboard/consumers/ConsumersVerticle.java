package dev.switchboard.consumers;

import dev.switchboard.api.tasks.TaskClient;
import dev.switchboard.shared.tasks.RedisTaskClient;

import dev.switchboard.consumers.builtin.BuiltinApp;
import dev.switchboard.consumers.builtin.ChatConsumer;
import dev.switchboard.shared.apps.AppCatalog;
import dev.switchboard.shared.apps.AppManifest;
import dev.switchboard.shared.apps.WebsocketRoute;
import dev.switchboard.shared.config.SwitchboardConfig;
import dev.switchboard.shared.protocol.Addresses;
import dev.switchboard.shared.routes.Route;
import dev.switchboard.shared.routes.RouteAnnouncer;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The {@code consumers} role: deploys the WebSocket and HTTP consumers of every app it is given, one
 * {@link ConsumerVerticle} / {@link HttpConsumerVerticle} per event loop for each route, announces their routes to
 * every gateway of the cluster ({@link RouteAnnouncer}; again whenever a node joins, as after a split; withdrawn on
 * undeploy), and answers this node's health query for the role.
 */
public class ConsumersVerticle extends VerticleBase {

  private final AppCatalog apps;
  private final TaskClient sharedTasks;
  private RedisTaskClient ownTasks;
  private RouteAnnouncer announcer;
  private Runnable stopRepeating = () -> { };

  /** {@code apps}' consumers, all given the node's task client {@code tasks}, created once by its composition root. */
  public ConsumersVerticle(AppCatalog apps, TaskClient tasks) {
    this.apps = Objects.requireNonNull(apps, "apps");
    this.sharedTasks = Objects.requireNonNull(tasks, "the node's task client (a test's lone role: standalone())");
  }

  private ConsumersVerticle(AppCatalog apps) {
    this.apps = apps;
    this.sharedTasks = null;
  }

  /**
   * The apps on this class path (ServiceLoader: the built-in one, and any other listed in a services file), with a
   * task client of this verticle's own: for tests of the role alone. A node never builds one.
   */
  public static ConsumersVerticle standalone() {
    return new ConsumersVerticle(AppCatalog.discover(ConsumersVerticle.class.getClassLoader()));
  }

  /** The WebSocket routes this role serves: (pattern, consumer name, factory) of every app, in declaration order. */
  public List<WebsocketRoute> routes() {
    return apps.websocketRoutes();
  }

  @Override
  public Future<?> start() {
    int instances = Math.max(1, Runtime.getRuntime().availableProcessors());
    SwitchboardConfig config = SwitchboardConfig.fromJson(config());
    if (sharedTasks == null) {
      ownTasks = config.redisUrl().map(url -> RedisTaskClient.create(vertx, url, config.tasks())).orElse(null);
    }
    TaskClient tasks = sharedTasks != null ? sharedTasks : ownTasks;
    JsonArray names = new JsonArray();
    Future<?> deployed = Future.all(apps.apps().stream()
        .flatMap(app -> app.websockets().stream().map(route -> {
          names.add(route.consumer());
          JsonObject settings = settings(app, config);
          return vertx.deployVerticle(() -> new ConsumerVerticle(route, settings, app.usesDatabase(), tasks),
              new DeploymentOptions().setConfig(config()).setInstances(instances));
        }))
        .toList())
        .compose(v -> Future.all(apps.apps().stream()
            .flatMap(app -> app.http().stream().map(route -> {
              names.add(route.consumer());
              JsonObject settings = settings(app, config);
              return vertx.deployVerticle(() -> new HttpConsumerVerticle(route, settings, app.usesDatabase(), tasks),
                  new DeploymentOptions().setConfig(config()).setInstances(instances));
            }))
            .toList()));
    JsonObject health = new JsonObject().put("status", "UP").put("consumers", names);
    announcer = new RouteAnnouncer(vertx, "consumers-" + deploymentID());
    // announced last: once a gateway hears of a route, the consumers behind it are listening
    return deployed.compose(v -> vertx.eventBus()
            .<JsonObject>localConsumer(Addresses.localHealth("consumers"), msg -> msg.reply(health))
            .completion())
        .compose(v -> announcer.announce(announcedRoutes()))
        .onSuccess(v -> stopRepeating = announcer.repeatWhenNodesJoin());
  }

  /** Takes the routes back from every gateway, so they answer 404 rather than relay to consumers that are stopping. */
  @Override
  public Future<?> stop() {
    stopRepeating.run();
    return (announcer == null ? Future.succeededFuture() : announcer.withdraw().otherwiseEmpty())
        .onComplete(v -> {
          if (ownTasks != null) {
            ownTasks.close(); // after the consumer verticles (children, undeployed first) that used it
          }
        });
  }

  /** What this role announces: every app's WebSocket and HTTP routes, pattern → consumer name. */
  public List<Route> announcedRoutes() {
    List<Route> routes = new ArrayList<>();
    apps.websocketRoutes().forEach(route -> routes.add(Route.websocket(route.pattern(), route.consumer())));
    apps.httpRoutes().forEach(route -> routes.add(Route.http(route.pattern(), route.consumer())));
    return routes;
  }

  /** An app's settings: {@code apps.<name>} of the node's configuration; the built-in app's come from its channels section. */
  private JsonObject settings(AppManifest app, SwitchboardConfig config) {
    JsonObject all = config().getJsonObject("apps", new JsonObject());
    JsonObject settings = all.getValue(app.name()) instanceof JsonObject own ? own.copy() : new JsonObject();
    if (BuiltinApp.NAME.equals(app.name()) && !settings.containsKey(ChatConsumer.MAX_MESSAGE_BYTES_SETTING)) {
      settings.put(ChatConsumer.MAX_MESSAGE_BYTES_SETTING, config.channels().chatMaxMessageBytes());
    }
    return settings;
  }
}

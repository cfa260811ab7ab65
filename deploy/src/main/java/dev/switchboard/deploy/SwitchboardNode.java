package dev.switchboard.deploy;

import dev.switchboard.api.NodeRole;
import dev.switchboard.consumers.ConsumerEnvironment;
import dev.switchboard.consumers.ConsumersVerticle;
import dev.switchboard.consumers.data.AppMigrations;
import dev.switchboard.consumers.data.Database;
import dev.switchboard.consumers.data.DatabaseVerticle;
import dev.switchboard.gateway.GatewayServices;
import dev.switchboard.gateway.GatewayVerticle;
import dev.switchboard.gateway.HealthServerVerticle;
import dev.switchboard.gateway.NodeStatusVerticle;
import dev.switchboard.gateway.RouteDirectory;
import dev.switchboard.gateway.TcpBridgeVerticle;
import dev.switchboard.gateway.TcpEchoVerticle;
import dev.switchboard.interop.celery.CeleryIngestVerticle;
import dev.switchboard.interop.celery.CeleryTaskClient;
import dev.switchboard.interop.channels.ChannelsRedisBridge;
import dev.switchboard.shared.apps.AppCatalog;
import dev.switchboard.shared.apps.AppManifest;
import dev.switchboard.shared.apps.AppVerticle;
import dev.switchboard.shared.channels.ChannelLayerVerticle;
import dev.switchboard.shared.channels.EventBusChannelLayer;
import dev.switchboard.shared.channels.LayerStats;
import dev.switchboard.shared.channels.LocalChannels;
import dev.switchboard.shared.cluster.ClusterBootstrap;
import dev.switchboard.shared.cluster.ClusterMembership;
import dev.switchboard.shared.config.SwitchboardConfig;
import dev.switchboard.shared.tasks.RedisTaskClient;
import dev.switchboard.worker.BeatVerticle;
import dev.switchboard.worker.TaskRegistry;
import dev.switchboard.worker.WorkerVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running JVM: the embedded services it needs, its Vert.x instance (local or clustered), and the
 * verticles of its roles, deployed in dependency order (consumers and workers before the gateway that
 * sends them traffic) and undeployed in reverse on {@link #stop()}.
 */
public final class SwitchboardNode {

  private static final Logger log = LoggerFactory.getLogger(SwitchboardNode.class);
  /** Celery's own default queue, where the task API sends a Celery task that names no queue. */
  static final String CELERY_DEFAULT_QUEUE = "celery";

  private final Set<Role> roles;
  private final boolean clustered;
  private final AppCatalog apps;
  private final JsonObject appSettings;
  private SwitchboardConfig config;
  private EmbeddedRedis embeddedRedis;
  private EmbeddedPostgres embeddedPostgres;
  private Vertx vertx;
  private final List<String> deployments = new ArrayList<>();
  private RouteDirectory routes;
  private Pool taskPool;
  private RedisTaskClient nodeTasks;
  private LayerStats layerStats;
  private LocalChannels channels;
  private GatewayServices gatewayServices;
  private CeleryTaskClient celeryTasks;
  private volatile int httpPort;

  /**
   * A node of {@code roles} in this JVM with {@code apps} (the test kit's in-process node); nothing starts before
   * {@link #start()}.
   */
  public SwitchboardNode(Set<NodeRole> roles, SwitchboardConfig config, AppCatalog apps, JsonObject appSettings) {
    this(roles.stream().map(role -> Role.valueOf(role.name())).collect(java.util.stream.Collectors.toSet()), false, config,
        apps, appSettings);
  }

  /** {@code appSettings}: the {@code apps} section of the configuration, each app's settings under its name. */
  SwitchboardNode(Set<Role> roles, boolean clustered, SwitchboardConfig config, AppCatalog apps, JsonObject appSettings) {
    this.roles = roles;
    this.clustered = clustered;
    this.config = config;
    this.apps = apps;
    this.appSettings = appSettings.copy();
  }

  /** Starts everything; the returned Future completes once every role is serving. */
  public Future<String> start() throws Exception {
    // every role uses Redis for tasks: the worker runs them, the gateway and consumers read and send them
    if (config.redisUrl().isEmpty()) {
      embeddedRedis = EmbeddedRedis.start();
      config = config.withRedisUrl(embeddedRedis.url());
    }
    if (usesPostgres() && config.pgUrl().isEmpty()) {
      embeddedPostgres = EmbeddedPostgres.start(config.pg());
      config = config.withPgUrl(embeddedPostgres.url());
    }
    if (usesPostgres()) {
      log.info("PostgreSQL: {}{}", Database.redact(config.pgUrl().get()), embeddedPostgres == null ? " (SWITCHBOARD_PG_URL)" : " (embedded)");
    }
    VertxOptions options = new VertxOptions();
    Future<Vertx> created = clustered
        ? ClusterBootstrap.clustered(options, config.cluster())
        : ClusterBootstrap.local(options);
    return created.compose(v -> {
      vertx = v;
      return deployRoles();
    });
  }

  private Future<String> deployRoles() {
    JsonObject json = config.toJson().put("roles", new JsonArray(roles.stream().map(Role::label).toList()))
        .put("apps", appSettings);
    DeploymentOptions once = new DeploymentOptions().setConfig(json);
    List<GatewayVerticle> gateways = new ArrayList<>();
    List<TcpEchoVerticle> echoes = new ArrayList<>();
    List<HealthServerVerticle> health = new ArrayList<>();
    // The node-wide services, each created once here and handed down: the task client (every role sends or reads
    // tasks), and on a gateway the route table, per-client limits and meters its verticles share.
    layerStats = new LayerStats();
    channels = LocalChannels.create(vertx);
    nodeTasks = config.redisUrl().map(url -> RedisTaskClient.forNode(vertx, url, config.tasks())).orElse(null);
    if (roles.contains(Role.GATEWAY)) {
      // one route table per node, shared by every gateway instance, built from the cluster's announcements
      routes = new RouteDirectory(vertx);
      gatewayServices = GatewayServices.create(vertx, config, routes, nodeTasks, layerStats, channels);
    }
    // Every node runs the channel layer: it owns its sockets' memberships and serves local clients.
    Future<?> chain = vertx.deployVerticle(new ChannelLayerVerticle(layerStats, channels), once)
        // every node answers status queries (roles, health, sockets) for the dashboard and `cluster status`
        .compose(v -> deploy(vertx.deployVerticle(new NodeStatusVerticle(gatewayServices), once)));
    if (config.interop().channelsRedis().enabled()) {
      // every node: gateways hold the members Django reaches, any node may group-send to Django
      chain = chain.compose(v -> deploy(vertx.deployVerticle(new ChannelsRedisBridge(), once)));
    }
    if (usesPostgres()) {
      // the schema is brought up to date before any role that reads it starts serving
      chain = chain.compose(v -> deploy(vertx.deployVerticle(new DatabaseVerticle(AppMigrations.of(databaseApps())), once)));
    }
    if (roles.contains(Role.CONSUMERS)) {
      chain = chain.compose(v -> deploy(vertx.deployVerticle(new ConsumersVerticle(apps, nodeTasks), once)));
    }
    if (roles.contains(Role.WORKER)) {
      // one pool for the tasks of every app that uses PostgreSQL, created here once (TaskContext.pool())
      taskPool = databaseApps().stream().anyMatch(app -> !app.tasks().isEmpty()) ? Database.pool(vertx, config) : null;
      TaskRegistry tasks = TaskRegistry.of(apps,
          app -> app.usesDatabase() && taskPool != null ? Optional.of(taskPool) : Optional.empty());
      chain = chain.compose(v -> deploy(vertx.deployVerticle(new WorkerVerticle(tasks), once)));
      // periodic tasks: every worker's scheduler competes for the lease, the holder sends the occurrences
      chain = chain.compose(v -> deploy(vertx.deployVerticle(new BeatVerticle(apps.schedules(), nodeTasks), once)));
      if (config.interop().celery().enabled()) {
        // Python Celery clients' tasks on the listed Celery queues run on this worker
        chain = chain.compose(v -> deploy(vertx.deployVerticle(new CeleryIngestVerticle(nodeTasks), once)));
      }
    }
    if (roles.contains(Role.GATEWAY)) {
      // the task API's "options": {"celery": true} sends to Python Celery workers on the Celery broker
      celeryTasks = config.interop().celery().brokerUrl().or(config::redisUrl)
          .map(url -> new CeleryTaskClient(vertx, url, CELERY_DEFAULT_QUEUE, config.tasks().namespace(),
              config.interop().celery().resultExpires()))
          .orElse(null);
      chain = chain
          .compose(v -> deploy(vertx.deployVerticle(routes.verticle(), once)))
          .compose(v -> deploy(vertx.deployVerticle(() -> add(gateways, new GatewayVerticle(gatewayServices, celeryTasks)),
              new DeploymentOptions(once).setInstances(config.http().instances()))))
          .compose(v -> deploy(vertx.deployVerticle(add(echoes, new TcpEchoVerticle()), once)));
      if (config.bridges().tcp().enabled()) {
        chain = chain.compose(v -> deploy(vertx.deployVerticle(new TcpBridgeVerticle(gatewayServices), once)));
      }
    } else {
      chain = chain.compose(v -> deploy(vertx.deployVerticle(add(health, new HealthServerVerticle()), once)));
    }
    for (AppVerticle verticle : apps.verticles()) {
      if (roles.contains(Role.valueOf(verticle.where().name()))) {
        chain = chain.compose(v -> deploy(deployAppVerticle(verticle, json)));
      }
    }
    return chain.map(v -> {
      httpPort = roles.contains(Role.GATEWAY) ? gateways.get(0).actualPort() : health.get(0).actualPort();
      String tcp = echoes.isEmpty() ? "" : ", tcp-echo port " + echoes.get(0).actualPort();
      ClusterMembership membership = ClusterMembership.of(vertx);
      return "Switchboard ready: roles " + Role.labels(roles) + ", http port " + httpPort + tcp
          + ", node " + membership.nodeId()
          + (clustered ? ", cluster '" + config.cluster().name() + "' of " + membership.nodes().size() + " nodes" : ", local event bus");
    });
  }

  /**
   * PostgreSQL is opened for the apps whose parts run here and that declared a database (the consumers role serves
   * routes, the worker role runs tasks); never by the gateway, a protocol server.
   */
  private boolean usesPostgres() {
    return !databaseApps().isEmpty();
  }

  /** The apps that use PostgreSQL and have something running on this node; their migrations are applied here. */
  private List<AppManifest> databaseApps() {
    return apps.apps().stream()
        .filter(AppManifest::usesDatabase)
        .filter(app -> roles.contains(Role.CONSUMERS) && (!app.websockets().isEmpty() || !app.http().isEmpty() || runsHere(app, NodeRole.CONSUMERS))
            || roles.contains(Role.WORKER) && (!app.tasks().isEmpty() || runsHere(app, NodeRole.WORKER)))
        .toList();
  }

  private static boolean runsHere(AppManifest app, NodeRole role) {
    return app.verticles().stream().anyMatch(verticle -> verticle.where() == role);
  }

  /** An app's own verticle, with the app's environment; its config is the app's settings unless it set one. */
  private Future<String> deployAppVerticle(AppVerticle verticle, JsonObject nodeConfig) {
    AppManifest app = apps.app(verticle.app()).orElseThrow();
    JsonObject all = nodeConfig.getJsonObject("apps", new JsonObject());
    JsonObject settings = all.getValue(app.name()) instanceof JsonObject own ? own.copy() : new JsonObject();
    ConsumerEnvironment environment = new ConsumerEnvironment(app.name(), vertx,
        new EventBusChannelLayer(vertx, config.channels().requestTimeoutMs()), nodeTasks, config, settings, app.usesDatabase());
    DeploymentOptions options = new DeploymentOptions(verticle.options());
    if (options.getConfig() == null) {
      options.setConfig(settings);
    }
    return vertx.deployVerticle(() -> verticle.factory().apply(environment), options);
  }

  private Future<String> deploy(Future<String> deployment) {
    return deployment.onSuccess(deployments::add);
  }

  private static <T> T add(List<T> list, T item) {
    synchronized (list) {
      list.add(item);
    }
    return item;
  }

  /** The HTTP port the node listens on (the gateway's, or the health server's), once started. */
  public int httpPort() {
    return httpPort;
  }

  /** The node's configuration, with the URLs of the embedded Redis and PostgreSQL it started, if any. */
  public SwitchboardConfig config() {
    return config;
  }

  /** The node's task client (every role's, and the test kit's), once started; closed when the node stops. */
  public dev.switchboard.api.tasks.TaskClient tasks() {
    return nodeTasks;
  }

  /** The node's Vert.x instance, once started. */
  public Vertx vertx() {
    return vertx;
  }

  /**
   * Undeploys in reverse order of deployment, so the gateway closes its sockets with 1001 before the
   * consumers behind it stop; then leaves the cluster and stops embedded services.
   */
  public void stop() {
    if (vertx != null) {
      try {
        for (int i = deployments.size() - 1; i >= 0; i--) {
          vertx.undeploy(deployments.get(i)).await();
        }
        if (taskPool != null) {
          taskPool.close().await();
        }
        if (nodeTasks != null) {
          nodeTasks.close();
        }
        if (celeryTasks != null) {
          celeryTasks.close();
        }
        vertx.close().await();
      } catch (Exception e) {
        log.warn("shutdown was not clean: {}", e.getMessage());
      }
    }
    if (embeddedRedis != null) {
      embeddedRedis.close();
    }
    if (embeddedPostgres != null) {
      embeddedPostgres.close();
    }
  }
}

package dev.switchboard.shared.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Reads the configuration with vertx-config: an optional JSON or YAML file, then {@code SWITCHBOARD_*}
 * environment variables on top. Fails with a {@link ConfigException} whose message is fit for one line
 * on stderr.
 */
public final class ConfigLoader {

  /** Each environment override and the config path it sets. */
  static final Map<String, String> ENVIRONMENT = Map.ofEntries(
      Map.entry("SWITCHBOARD_HTTP_HOST", "http.host"),
      Map.entry("SWITCHBOARD_HTTP_PORT", "http.port"),
      Map.entry("SWITCHBOARD_HTTP_INSTANCES", "http.instances"),
      Map.entry("SWITCHBOARD_HTTP_RELAY_TIMEOUT_MS", "http.relayTimeoutMs"),
      Map.entry("SWITCHBOARD_HTTP_STRICT_THREAD_MODE", "http.strictThreadMode"),
      Map.entry("SWITCHBOARD_HTTP_ALLOWED_HOSTS", "http.allowedHosts"),
      Map.entry("SWITCHBOARD_TCP_ECHO_PORT", "tcpEcho.port"),
      Map.entry("SWITCHBOARD_REDIS_URL", "redis.url"),
      Map.entry("SWITCHBOARD_PG_URL", "pg.url"),
      Map.entry("SWITCHBOARD_PG_POOL_SIZE", "pg.poolSize"),
      Map.entry("SWITCHBOARD_PG_PIPELINING_LIMIT", "pg.pipeliningLimit"),
      Map.entry("SWITCHBOARD_PG_MAX_WAIT_QUEUE_SIZE", "pg.maxWaitQueueSize"),
      Map.entry("SWITCHBOARD_PG_CONNECT_TIMEOUT_MS", "pg.connectTimeoutMs"),
      Map.entry("SWITCHBOARD_PG_ACQUIRE_TIMEOUT_MS", "pg.acquireTimeoutMs"),
      Map.entry("SWITCHBOARD_PG_IDLE_TIMEOUT_MS", "pg.idleTimeoutMs"),
      Map.entry("SWITCHBOARD_PG_STATEMENT_TIMEOUT_MS", "pg.statementTimeoutMs"),
      Map.entry("SWITCHBOARD_PG_EMBEDDED_DIR", "pg.embeddedDir"),
      Map.entry("SWITCHBOARD_PG_EMBEDDED_PORT", "pg.embeddedPort"),
      Map.entry("SWITCHBOARD_CLUSTER_NAME", "cluster.name"),
      Map.entry("SWITCHBOARD_CLUSTER_MEMBERS", "cluster.members"),
      Map.entry("SWITCHBOARD_CLUSTER_HOST", "cluster.host"),
      Map.entry("SWITCHBOARD_CLUSTER_PORT", "cluster.port"),
      Map.entry("SWITCHBOARD_CLUSTER_PUBLIC_HOST", "cluster.publicHost"),
      Map.entry("SWITCHBOARD_WS_MAX_FRAME_SIZE", "websocket.maxFrameSize"),
      Map.entry("SWITCHBOARD_WS_MAX_MESSAGE_SIZE", "websocket.maxMessageSize"),
      Map.entry("SWITCHBOARD_WS_OUTBOUND_QUEUE_BYTES", "websocket.outboundQueueBytes"),
      Map.entry("SWITCHBOARD_WS_PING_INTERVAL_MS", "websocket.pingIntervalMs"),
      Map.entry("SWITCHBOARD_TASKS_NAMESPACE", "tasks.namespace"),
      Map.entry("SWITCHBOARD_TASKS_VISIBILITY_TIMEOUT_MS", "tasks.visibilityTimeoutMs"),
      Map.entry("SWITCHBOARD_TASKS_RESULT_TTL_MS", "tasks.resultTtlMs"),
      Map.entry("SWITCHBOARD_TASKS_MAX_QUEUE_LENGTH", "tasks.maxQueueLength"),
      Map.entry("SWITCHBOARD_TASKS_QUEUES", "tasks.queues"),
      Map.entry("SWITCHBOARD_TASKS_ENQUEUE_REPLICAS", "tasks.enqueueReplicas"),
      Map.entry("SWITCHBOARD_TASKS_MAX_RETRY_BACKOFF_MS", "tasks.maxRetryBackoffMs"),
      Map.entry("SWITCHBOARD_TASKS_ACCEPTED_QUEUES", "tasks.acceptedQueues"),
      Map.entry("SWITCHBOARD_TASKS_WAITING_TTL_MS", "tasks.waitingTtlMs"),
      Map.entry("SWITCHBOARD_TASKS_ENQUEUE_REPLICA_TIMEOUT_MS", "tasks.enqueueReplicaTimeoutMs"),
      Map.entry("SWITCHBOARD_WORKER_CONCURRENCY", "tasks.concurrency"),
      Map.entry("SWITCHBOARD_SCHEDULES_MAX", "schedules.max"),
      Map.entry("SWITCHBOARD_SCHEDULES_TICK_MS", "schedules.tickMs"),
      Map.entry("SWITCHBOARD_SCHEDULES_CATCH_UP", "schedules.catchUp"),
      Map.entry("SWITCHBOARD_WORKER_BLOCKING_POOL_SIZE", "tasks.blockingPoolSize"),
      Map.entry("SWITCHBOARD_WORKER_SHUTDOWN_GRACE_MS", "tasks.shutdownGraceMs"),
      Map.entry("SWITCHBOARD_CHANNELS_REQUEST_TIMEOUT_MS", "channels.requestTimeoutMs"),
      Map.entry("SWITCHBOARD_CHANNELS_MAX_GROUPS_PER_CHANNEL", "channels.maxGroupsPerChannel"),
      Map.entry("SWITCHBOARD_CHANNELS_MAX_MEMBERS_PER_GROUP", "channels.maxMembersPerGroup"),
      Map.entry("SWITCHBOARD_CHAT_MAX_MESSAGE_BYTES", "channels.chatMaxMessageBytes"),
      Map.entry("SWITCHBOARD_JWT_SECRET", "auth.jwtSecret"),
      Map.entry("SWITCHBOARD_JWT_SECRET_FILE", "auth.jwtSecretFile"),
      Map.entry("SWITCHBOARD_JWT_PUBLIC_KEY_FILE", "auth.jwtPublicKeyFile"),
      Map.entry("SWITCHBOARD_JWT_PUBLIC_KEY_ALGORITHM", "auth.jwtPublicKeyAlgorithm"),
      Map.entry("SWITCHBOARD_JWT_ISSUER", "auth.issuer"),
      Map.entry("SWITCHBOARD_JWT_AUDIENCE", "auth.audience"),
      Map.entry("SWITCHBOARD_AUTH_PROTECT", "auth.protect"),
      Map.entry("SWITCHBOARD_AUTH_PUBLIC", "auth.public"),
      Map.entry("SWITCHBOARD_JWT_MAX_AGE_SECONDS", "auth.maxTokenAgeSeconds"),
      Map.entry("SWITCHBOARD_WS_ALLOWED_ORIGINS", "websocket.allowedOrigins"),
      Map.entry("SWITCHBOARD_LIMITS_CONNECTIONS_PER_SECOND", "limits.connectionsPerSecond"),
      Map.entry("SWITCHBOARD_LIMITS_CONNECTION_BURST", "limits.connectionBurst"),
      Map.entry("SWITCHBOARD_LIMITS_MAX_CONNECTIONS_PER_IP", "limits.maxConnectionsPerIp"),
      Map.entry("SWITCHBOARD_TCP_BRIDGE_HOST", "tcpBridge.host"),
      Map.entry("SWITCHBOARD_TCP_BRIDGE_PORT", "tcpBridge.port"),
      Map.entry("SWITCHBOARD_TCP_BRIDGE_INBOUND", "tcpBridge.inbound"),
      Map.entry("SWITCHBOARD_TCP_BRIDGE_OUTBOUND", "tcpBridge.outbound"),
      Map.entry("SWITCHBOARD_TCP_BRIDGE_MAX_FRAME_BYTES", "tcpBridge.maxFrameBytes"),
      Map.entry("SWITCHBOARD_TCP_BRIDGE_ROUTES", "tcpBridge.routes"),
      Map.entry("SWITCHBOARD_TCP_BRIDGE_ANY_CHANNEL", "tcpBridge.anyChannel"),
      Map.entry("SWITCHBOARD_SOCKJS_BRIDGE_INBOUND", "sockjsBridge.inbound"),
      Map.entry("SWITCHBOARD_SOCKJS_BRIDGE_OUTBOUND", "sockjsBridge.outbound"),
      Map.entry("SWITCHBOARD_SOCKJS_BRIDGE_MAX_MESSAGE_BYTES", "sockjsBridge.maxMessageBytes"),
      Map.entry("SWITCHBOARD_CHANNELS_REDIS_URL", "channelsRedis.url"),
      Map.entry("SWITCHBOARD_CHANNELS_REDIS_GROUPS", "channelsRedis.groups"),
      Map.entry("SWITCHBOARD_CHANNELS_REDIS_PREFIX", "channelsRedis.prefix"),
      Map.entry("SWITCHBOARD_CHANNELS_REDIS_EXPIRY", "channelsRedis.expiry"),
      Map.entry("SWITCHBOARD_CHANNELS_REDIS_GROUP_EXPIRY", "channelsRedis.groupExpiry"),
      Map.entry("SWITCHBOARD_CHANNELS_REDIS_CAPACITY", "channelsRedis.capacity"),
      Map.entry("SWITCHBOARD_CHANNELS_REDIS_ENCRYPTION_KEYS", "channelsRedis.encryptionKeys"),
      Map.entry("SWITCHBOARD_CELERY_QUEUES", "celery.queues"),
      Map.entry("SWITCHBOARD_CELERY_ALIASES", "celery.aliases"),
      Map.entry("SWITCHBOARD_CELERY_BROKER_URL", "celery.brokerUrl"),
      Map.entry("SWITCHBOARD_CELERY_RESULT_EXPIRES", "celery.resultExpires"));

  private ConfigLoader() {
  }

  /** Loads {@code file} (may be null) plus the environment; the Future fails with a ConfigException. */
  public static Future<SwitchboardConfig> load(Vertx vertx, Path file) {
    return loadJson(vertx, file).map(SwitchboardConfig::fromJson);
  }

  /**
   * The merged configuration as JSON, environment applied, before it is typed: what {@link #load} reads, plus the
   * sections it does not know, such as the apps' own settings ({@code apps.<name>}).
   */
  public static Future<JsonObject> loadJson(Vertx vertx, Path file) {
    ConfigRetrieverOptions options = new ConfigRetrieverOptions().setIncludeDefaultStores(false);
    if (file != null) {
      if (!Files.isReadable(file)) {
        return Future.failedFuture(new ConfigException("config file " + file + " cannot be read"));
      }
      String name = file.getFileName().toString().toLowerCase();
      String format = name.endsWith(".yaml") || name.endsWith(".yml") ? "yaml" : "json";
      options.addStore(new ConfigStoreOptions().setType("file").setFormat(format)
          .setConfig(new JsonObject().put("path", file.toString())));
    }
    options.addStore(new ConfigStoreOptions().setType("env")
        .setConfig(new JsonObject().put("raw-data", true).put("keys", new JsonArray(ENVIRONMENT.keySet().stream().toList()))));
    ConfigRetriever retriever = ConfigRetriever.create(vertx, options);
    return retriever.getConfig()
        .eventually(retriever::close)
        .recover(err -> Future.failedFuture(new ConfigException(
            "config file " + file + " is not valid " + (err.getMessage() == null ? "" : ": " + firstLine(err.getMessage())))))
        .map(ConfigLoader::applyEnvironment);
  }

  /** Moves the flat {@code SWITCHBOARD_*} keys to the nested paths they override. */
  static JsonObject applyEnvironment(JsonObject merged) {
    JsonObject result = merged.copy();
    ENVIRONMENT.forEach((env, path) -> {
      Object value = result.remove(env);
      if (value != null) {
        String[] parts = path.split("\\.");
        Object section = result.getValue(parts[0]);
        JsonObject target = section instanceof JsonObject json ? json : new JsonObject();
        result.put(parts[0], target.put(parts[1], value));
      }
    });
    return result;
  }

  private static String firstLine(String message) {
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}

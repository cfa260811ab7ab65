package dev.switchboard.shared.config;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Optional;

/**
 * The whole configuration of a node, read once at the edge by {@link ConfigLoader} and handed to each
 * verticle as JSON with {@code DeploymentOptions.setConfig}; verticles read it back with {@link #fromJson}.
 * Every value has a default that works on a laptop; port 0 means "any free port".
 */
public record SwitchboardConfig(
    Http http,
    int tcpEchoPort,
    Optional<String> redisUrl,
    Optional<String> pgUrl,
    Cluster cluster,
    WebSocket websocket,
    TaskSettings tasks,
    Channels channels,
    PgSettings pg,
    SecuritySettings security,
    BridgeSettings bridges,
    InteropSettings interop,
    ScheduleSettings schedules) {

  /**
   * The gateway's HTTP server; {@code instances} event-loop instances share the port. A request relayed to an HTTP
   * consumer whose response has not started within {@code relayTimeoutMs} answers 504.
   */
  /**
   * The HTTP server. {@code strictThreadMode}: Vert.x's strict thread mode, every response written on its
   * connection's event loop (saves ~4.7 KB per idle WebSocket); off only to rule it out when diagnosing.
   */
  public record Http(String host, int port, int instances, int maxBodySize, int relayTimeoutMs,
                     boolean strictThreadMode) {
  }

  /** Hazelcast membership: TCP-IP join to {@code members}, event bus bound to {@code host}. */
  public record Cluster(String name, List<String> members, String host, int port, String publicHost) {
  }

  /**
   * WebSocket limits: frames and messages larger than the maximum close with 1009; a connection whose
   * outbound queue passes {@code outboundQueueBytes} closes with 1013; a consumer that does not answer a
   * connect within {@code connectTimeoutMs} gets the handshake refused with 503.
   */
  /**
   * WebSocket limits and timers. {@code pingIntervalMs}: the gateway pings every socket this often and closes one
   * that has sent nothing, not even a pong, for two intervals (0 turns heartbeats off).
   */
  public record WebSocket(int maxFrameSize, int maxMessageSize, int outboundQueueBytes, int connectTimeoutMs,
                          int pingIntervalMs) {
  }

  /**
   * The channel layer: how long a node waits for another node's answer, how many groups one channel may
   * join, how many members one group may have on one node, and the longest chat message in UTF-8 bytes.
   */
  public record Channels(int requestTimeoutMs, int maxGroupsPerChannel, int maxMembersPerGroup, int chatMaxMessageBytes) {

    static Channels fromJson(JsonObject root) {
      Settings channels = new Settings(root, "channels");
      return new Channels(
          channels.integer("requestTimeoutMs", 5000, 100, 600_000),
          channels.integer("maxGroupsPerChannel", 100, 1, 100_000),
          channels.integer("maxMembersPerGroup", 100_000, 1, 10_000_000),
          channels.integer("chatMaxMessageBytes", 4096, 1, 16 * 1024 * 1024));
    }

    JsonObject toJson() {
      return new JsonObject().put("requestTimeoutMs", requestTimeoutMs).put("maxGroupsPerChannel", maxGroupsPerChannel)
          .put("maxMembersPerGroup", maxMembersPerGroup).put("chatMaxMessageBytes", chatMaxMessageBytes);
    }
  }

  public static SwitchboardConfig fromJson(JsonObject json) {
    Settings http = new Settings(json, "http");
    Settings tcpEcho = new Settings(json, "tcpEcho");
    Settings redis = new Settings(json, "redis");
    Settings pg = new Settings(json, "pg");
    Settings cluster = new Settings(json, "cluster");
    Settings ws = new Settings(json, "websocket");
    String clusterHost = cluster.string("host", "127.0.0.1");
    int maxFrame = ws.integer("maxFrameSize", 64 * 1024, 125, 16 * 1024 * 1024);
    return new SwitchboardConfig(
        new Http(
            http.string("host", "0.0.0.0"),
            http.port("port", 8080),
            http.integer("instances", Runtime.getRuntime().availableProcessors(), 1, 64),
            http.integer("maxBodySize", 1024 * 1024, 1024, 64 * 1024 * 1024),
            http.integer("relayTimeoutMs", 30_000, 1, 3_600_000),
            http.flag("strictThreadMode", true)),
        tcpEcho.port("port", 8000),
        Optional.ofNullable(redis.string("url", null)),
        Optional.ofNullable(pg.string("url", null)),
        new Cluster(
            cluster.string("name", "switchboard"),
            cluster.list("members", List.of("127.0.0.1")),
            clusterHost,
            cluster.port("port", 5701),
            cluster.string("publicHost", clusterHost)),
        new WebSocket(
            maxFrame,
            ws.integer("maxMessageSize", maxFrame, 125, 64 * 1024 * 1024),
            ws.integer("outboundQueueBytes", 1024 * 1024, 1024, 256 * 1024 * 1024),
            ws.integer("connectTimeoutMs", 5000, 100, 600_000),
            ws.integer("pingIntervalMs", 25_000, 0, 3_600_000)),
        TaskSettings.fromJson(json),
        Channels.fromJson(json),
        PgSettings.fromJson(json),
        SecuritySettings.fromJson(json),
        BridgeSettings.fromJson(json),
        InteropSettings.fromJson(json),
        ScheduleSettings.fromJson(json));
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("http", new JsonObject().put("host", http.host).put("port", http.port)
            .put("instances", http.instances).put("maxBodySize", http.maxBodySize)
            .put("relayTimeoutMs", http.relayTimeoutMs).put("strictThreadMode", http.strictThreadMode))
        .put("tcpEcho", new JsonObject().put("port", tcpEchoPort))
        .put("redis", new JsonObject().put("url", redisUrl.orElse(null)))
        .put("pg", pg.toJson().put("url", pgUrl.orElse(null)))
        .put("cluster", new JsonObject().put("name", cluster.name).put("members", String.join(",", cluster.members))
            .put("host", cluster.host).put("port", cluster.port).put("publicHost", cluster.publicHost))
        .put("websocket", new JsonObject().put("maxFrameSize", websocket.maxFrameSize)
            .put("maxMessageSize", websocket.maxMessageSize)
            .put("outboundQueueBytes", websocket.outboundQueueBytes)
            .put("connectTimeoutMs", websocket.connectTimeoutMs)
            .put("pingIntervalMs", websocket.pingIntervalMs))
        .put("tasks", tasks.toJson())
        .put("channels", channels.toJson());
    security.writeTo(json);
    bridges.writeTo(json);
    interop.writeTo(json);
    schedules.writeTo(json);
    return json;
  }

  public SwitchboardConfig withRedisUrl(String url) {
    return new SwitchboardConfig(http, tcpEchoPort, Optional.of(url), pgUrl, cluster, websocket, tasks, channels, pg, security, bridges, interop, schedules);
  }

  public SwitchboardConfig withPgUrl(String url) {
    return new SwitchboardConfig(http, tcpEchoPort, redisUrl, Optional.of(url), cluster, websocket, tasks, channels, pg, security, bridges, interop, schedules);
  }
}

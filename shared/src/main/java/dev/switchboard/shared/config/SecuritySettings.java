package dev.switchboard.shared.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Optional;

/**
 * Who may reach the gateway: JWT authentication ({@code auth}), the WebSocket Origin allow-list
 * ({@code websocket.allowedOrigins}), the {@code Host} allow-list ({@code http.allowedHosts}: names besides loopback,
 * IP literals and the allowed origins' hosts; {@code "*"} any; {@code ".example.com"} its subdomains) and per-IP
 * connection limits ({@code limits}).
 *
 * <p>The HS256 secret comes from {@code SWITCHBOARD_JWT_SECRET} or a file named by {@code auth.jwtSecretFile}
 * ({@code SWITCHBOARD_JWT_SECRET_FILE}); a public key (PEM) for RS256/ES256 tokens from
 * {@code auth.jwtPublicKeyFile}. Without a key nothing is protected. With one, every path (and {@code tcp-bridge},
 * the TCP event-bus bridge) needs a token except {@code /health} and what {@code auth.public} lists; an entry of
 * {@code auth.protect} inside a public prefix closes it again (the longest matching entry decides, by whole path
 * segments). A protect list without any key configured is a configuration error. Tokens older than
 * {@code auth.maxTokenAgeSeconds} (by {@code iat}, or expiring further ahead than that) are refused; 0 turns it off.
 */
public record SecuritySettings(Auth auth, List<String> allowedOrigins, List<String> allowedHosts, Limits limits) {

  /** The name in {@code auth.protect} that puts the TCP event-bus bridge behind a token. */
  public static final String TCP_BRIDGE = "tcp-bridge";

  /** JWT keys and the protected routes; {@code secret} is never written back by {@link #toJson()} as plain text. */
  public record Auth(Optional<String> secret, Optional<String> secretFile, Optional<String> publicKeyFile,
      String publicKeyAlgorithm, Optional<String> issuer, Optional<String> audience, List<String> protect,
      List<String> publicPaths, int maxTokenAgeSeconds) {

    /** Open without a token whatever else is configured: load balancers probe it. */
    public static final String HEALTH = "/health";
    /** The default {@code auth.maxTokenAgeSeconds}: a day. */
    public static final int DEFAULT_MAX_TOKEN_AGE_SECONDS = 86_400;

    public boolean configured() {
      return secret.isPresent() || secretFile.isPresent() || publicKeyFile.isPresent();
    }
  }

  /**
   * Per client IP: new connections per second (token bucket refilled at {@code connectionsPerSecond} up to
   * {@code connectionBurst}) and open connections at once; at most {@code maxTrackedIps} addresses are
   * remembered, the least recently seen forgotten first.
   */
  public record Limits(int connectionsPerSecond, int connectionBurst, int maxConnectionsPerIp, int maxTrackedIps) {
  }

  static SecuritySettings fromJson(JsonObject root) {
    Settings auth = new Settings(root, "auth");
    Settings ws = new Settings(root, "websocket");
    Settings http = new Settings(root, "http");
    Settings limits = new Settings(root, "limits");
    int perSecond = limits.integer("connectionsPerSecond", 200, 1, 1_000_000);
    SecuritySettings settings = new SecuritySettings(
        new Auth(
            Optional.ofNullable(auth.string("jwtSecret", null)),
            Optional.ofNullable(auth.string("jwtSecretFile", null)),
            Optional.ofNullable(auth.string("jwtPublicKeyFile", null)),
            auth.string("jwtPublicKeyAlgorithm", "RS256"),
            Optional.ofNullable(auth.string("issuer", null)),
            Optional.ofNullable(auth.string("audience", null)),
            auth.listOrEmpty("protect"),
            auth.listOrEmpty("public"),
            auth.integer("maxTokenAgeSeconds", Auth.DEFAULT_MAX_TOKEN_AGE_SECONDS, 0, Integer.MAX_VALUE)),
        ws.listOrEmpty("allowedOrigins"),
        http.listOrEmpty("allowedHosts"),
        new Limits(
            perSecond,
            limits.integer("connectionBurst", Math.max(perSecond * 2, 1), 1, 1_000_000),
            limits.integer("maxConnectionsPerIp", 2000, 1, 10_000_000),
            limits.integer("maxTrackedIps", 10_000, 16, 10_000_000)));
    if (!settings.auth.protect.isEmpty() && !settings.auth.configured()) {
      throw new ConfigException("auth.protect is " + settings.auth.protect
          + " but no key is configured: set SWITCHBOARD_JWT_SECRET, SWITCHBOARD_JWT_SECRET_FILE or auth.jwtPublicKeyFile");
    }
    return settings;
  }

  void writeTo(JsonObject root) {
    JsonObject authJson = new JsonObject()
        .put("jwtSecretFile", auth.secretFile.orElse(null))
        .put("jwtPublicKeyFile", auth.publicKeyFile.orElse(null))
        .put("jwtPublicKeyAlgorithm", auth.publicKeyAlgorithm)
        .put("issuer", auth.issuer.orElse(null))
        .put("audience", auth.audience.orElse(null))
        .put("protect", new JsonArray(auth.protect))
        .put("public", new JsonArray(auth.publicPaths))
        .put("maxTokenAgeSeconds", auth.maxTokenAgeSeconds);
    // The secret travels to the verticles in their deployment config (never over the cluster, never logged).
    auth.secret.ifPresent(secret -> authJson.put("jwtSecret", secret));
    root.put("auth", authJson);
    root.getJsonObject("websocket", new JsonObject()).put("allowedOrigins", new JsonArray(allowedOrigins));
    root.getJsonObject("http", new JsonObject()).put("allowedHosts", new JsonArray(allowedHosts));
    root.put("limits", new JsonObject().put("connectionsPerSecond", limits.connectionsPerSecond)
        .put("connectionBurst", limits.connectionBurst).put("maxConnectionsPerIp", limits.maxConnectionsPerIp)
        .put("maxTrackedIps", limits.maxTrackedIps));
  }

  @Override
  public String toString() {
    return "SecuritySettings[protect=" + auth.protect + ", public=" + auth.publicPaths + ", secret=" + (auth.secret.isPresent() ? "(set)" : "(unset)")
        + ", allowedOrigins=" + allowedOrigins + ", allowedHosts=" + allowedHosts + ", limits=" + limits + "]";
  }
}

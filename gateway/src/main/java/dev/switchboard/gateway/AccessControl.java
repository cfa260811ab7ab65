package dev.switchboard.gateway;

import dev.switchboard.shared.config.SecuritySettings;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.ServerWebSocketHandshake;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.RoutingContext;

/**
 * The gateway's door: Host allow-list, Origin allow-list, per-IP connection limits and JWT, applied in that order
 * (cheapest first, and a flood of bad tokens is limited like any other) to WebSocket handshakes, protected HTTP paths
 * and the SockJS bridge. One per gateway verticle; the limits behind it are shared by the node.
 */
final class AccessControl {

  /**
   * A refusal with the HTTP status to answer: 401 bad or missing token, 403 foreign Origin, 421 foreign Host, 429
   * over a limit.
   */
  static final class Denied extends RuntimeException {
    final int status;

    Denied(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }

  /**
   * An admitted WebSocket: its user (the token's subject, or null), the slot to release when it closes, and its
   * query string without the token, for the consumer's scope.
   */
  record Admitted(String user, ClientLimits.Permit permit, String query) {
  }

  /** The routing-context key holding the token's subject on an authenticated request. */
  static final String USER = "switchboard.user";

  private final HostCheck hosts;
  private final OriginCheck origins;
  private final ClientLimits limits;
  private final TokenAuth tokens;

  private AccessControl(HostCheck hosts, OriginCheck origins, ClientLimits limits, TokenAuth tokens) {
    this.hosts = hosts;
    this.origins = origins;
    this.limits = limits;
    this.tokens = tokens;
  }

  static Future<AccessControl> create(Vertx vertx, SecuritySettings settings, ClientLimits limits) {
    return TokenAuth.create(vertx, settings.auth()).map(tokens -> new AccessControl(hostCheck(settings),
        new OriginCheck(settings.allowedOrigins()), limits, tokens));
  }

  /** The Host allow-list of {@code settings}: {@link HostCheck}. */
  static HostCheck hostCheck(SecuritySettings settings) {
    return new HostCheck(settings.allowedHosts(), settings.allowedOrigins());
  }

  /** Router handler, first on every request: a foreign {@code Host} is 421 (DNS rebinding). */
  static Handler<RoutingContext> hostGuard(HostCheck hosts) {
    return rc -> {
      HostAndPort authority = rc.request().authority();
      if (hosts.allows(authority)) {
        rc.next();
      } else {
        rc.fail(421, new IllegalStateException(HostCheck.refusal(authority)));
      }
    };
  }

  Handler<RoutingContext> hostGuard() {
    return hostGuard(hosts);
  }

  ClientLimits limits() {
    return limits;
  }

  TokenAuth tokens() {
    return tokens;
  }

  /** Whether the handshake names a Host this gateway answers to (else 421, before anything else is looked at). */
  boolean allowsHost(ServerWebSocketHandshake handshake) {
    return hosts.allows(handshake.authority());
  }

  /** Origin, then limits, then token; fails with {@link Denied}. The caller must release the permit. */
  Future<Admitted> admit(ServerWebSocketHandshake handshake) {
    String origin = handshake.headers().get(HttpHeaders.ORIGIN);
    if (!origins.allows(origin)) {
      return Future.failedFuture(new Denied(403, "origin not allowed: " + origin));
    }
    ClientLimits.Admission admission = limits.admit(handshake.remoteAddress().hostAddress());
    if (!admission.admitted()) {
      return Future.failedFuture(new Denied(admission.status(), "connection limit: " + admission.verdict()));
    }
    QueryToken query = QueryToken.parse(handshake.query());
    String token = TokenAuth.tokenOf(handshake.headers(), query);
    return tokens.check(handshake.path(), token)
        .<Admitted>map(user -> new Admitted(user, admission.permit(), query.rest()))
        .recover(err -> {
          admission.permit().release();
          return Future.failedFuture(new Denied(401, err.getMessage()));
        });
  }

  /** Whether any HTTP path needs a token (else {@link #requireToken} need not be installed). */
  boolean protectsHttp() {
    return tokens.protectsAnyHttpPath();
  }

  /** Router handler: a protected path needs a valid token (401), and any presented token must be valid. */
  void requireToken(RoutingContext rc) {
    requireToken(rc, isBridgePath(rc.normalizedPath()));
  }

  private static boolean isBridgePath(String path) {
    return path.equals(SockJsBridge.PATH) || path.startsWith(SockJsBridge.PATH + "/");
  }

  /**
   * The token comes in the {@code Authorization} header; the query parameter only where {@code queryAllowed}
   * (the SockJS bridge, whose browser transports cannot set headers). Elsewhere a {@code ?token=} is refused, not
   * ignored: a URL carrying a credential ends up in logs and Referer headers, and would reach HTTP consumers.
   */
  private void requireToken(RoutingContext rc, boolean queryAllowed) {
    String bearer = TokenAuth.bearerOf(rc.request().headers());
    String query = rc.request().query();
    String inQuery = query == null ? null : QueryToken.parse(query).token();
    if (inQuery != null && !queryAllowed) {
      rc.fail(401, new TokenAuth.Refused("the token query parameter is accepted only on WebSocket and /eventbus URLs: "
          + "send Authorization: Bearer"));
      return;
    }
    String token = bearer != null ? bearer : inQuery;
    if (token == null && !tokens.protects(rc.normalizedPath())) {
      rc.next();
      return;
    }
    Future<String> checked = tokens.check(rc.normalizedPath(), token);
    // HS256 checks complete at once; anything slower must not let the body run past the handlers after this one.
    boolean paused = !checked.isComplete();
    if (paused) {
      rc.request().pause();
    }
    checked.onComplete(result -> {
      if (result.failed()) {
        rc.fail(401, result.cause());
      } else {
        if (result.result() != null) {
          rc.put(USER, result.result());
        }
        rc.next();
      }
      if (paused) {
        rc.request().resume();
      }
    });
  }

  /**
   * Router handler against cross-site requests (CSRF) for every state-changing method: a browser names the page's
   * Origin, which must be allowed (403); and an API body must be declared JSON (415), which a page cannot send to
   * another origin without a CORS preflight (a form or {@code text/plain} fetch can). Requests without
   * {@code Origin} are not from a page and pass the first rule. {@code /eventbus} has its own guard.
   */
  void guardStateChange(RoutingContext rc) {
    HttpMethod method = rc.request().method();
    if (method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.OPTIONS
        || isBridgePath(rc.normalizedPath())) {
      rc.next();
      return;
    }
    String origin = rc.request().getHeader(HttpHeaders.ORIGIN);
    if (!origins.allows(origin)) {
      rc.fail(403, new IllegalStateException("origin not allowed: " + origin));
      return;
    }
    if (rc.normalizedPath().startsWith("/api/") && hasBody(rc) && !isJson(rc.request().getHeader(HttpHeaders.CONTENT_TYPE))) {
      rc.fail(415, new IllegalArgumentException("the body must be JSON: send Content-Type: application/json"));
      return;
    }
    rc.next();
  }

  private static boolean hasBody(RoutingContext rc) {
    String length = rc.request().getHeader(HttpHeaders.CONTENT_LENGTH);
    return rc.request().getHeader(HttpHeaders.TRANSFER_ENCODING) != null || length != null && parseLength(length) != 0;
  }

  private static boolean isJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    String mime = contentType.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
    return mime.equals("application/json") || mime.startsWith("application/") && mime.endsWith("+json");
  }

  /**
   * Router handler for the SockJS bridge's HTTP requests: Origin (403), declared body size (413), then token.
   * A body without a declared length is bounded by the body handler that follows.
   */
  void guardBridge(RoutingContext rc, int maxBodyBytes) {
    String origin = rc.request().getHeader(HttpHeaders.ORIGIN);
    if (!origins.allows(origin)) {
      rc.fail(403, new IllegalStateException("origin not allowed: " + origin));
      return;
    }
    String length = rc.request().getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null && parseLength(length) > maxBodyBytes) {
      rc.fail(413, new IllegalArgumentException("message too large: the limit is " + maxBodyBytes + " bytes"));
      return;
    }
    requireToken(rc, true);
  }

  private static long parseLength(String length) {
    try {
      return Long.parseLong(length.trim());
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }
}

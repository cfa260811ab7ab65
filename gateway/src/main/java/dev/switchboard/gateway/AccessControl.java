package dev.switchboard.gateway;

import dev.switchboard.shared.config.SecuritySettings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.ServerWebSocketHandshake;
import io.vertx.ext.web.RoutingContext;

/**
 * The gateway's door: Origin allow-list, per-IP connection limits and JWT, applied in that order (cheapest
 * first, and a flood of bad tokens is limited like any other) to WebSocket handshakes, protected HTTP paths
 * and the SockJS bridge. One per gateway verticle; the limits behind it are shared by the node.
 */
final class AccessControl {

  /** A refusal with the HTTP status to answer: 401 bad or missing token, 403 foreign Origin, 429 over a limit. */
  static final class Denied extends RuntimeException {
    final int status;

    Denied(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }

  /** An admitted WebSocket: its user (the token's subject, or null) and the slot to release when it closes. */
  record Admitted(String user, ClientLimits.Permit permit) {
  }

  /** The routing-context key holding the token's subject on an authenticated request. */
  static final String USER = "switchboard.user";

  private final OriginCheck origins;
  private final ClientLimits limits;
  private final TokenAuth tokens;

  private AccessControl(OriginCheck origins, ClientLimits limits, TokenAuth tokens) {
    this.origins = origins;
    this.limits = limits;
    this.tokens = tokens;
  }

  static Future<AccessControl> create(Vertx vertx, SecuritySettings settings) {
    return TokenAuth.create(vertx, settings.auth()).map(tokens -> new AccessControl(
        new OriginCheck(settings.allowedOrigins()), ClientLimits.of(vertx, settings.limits()), tokens));
  }

  ClientLimits limits() {
    return limits;
  }

  TokenAuth tokens() {
    return tokens;
  }

  /** Origin, then limits, then token; fails with {@link Denied}. The caller must release the permit. */
  Future<Admitted> admit(ServerWebSocketHandshake handshake) {
    String origin = handshake.headers().get(HttpHeaders.ORIGIN);
    if (!origins.allows(origin, handshake.headers().get(HttpHeaders.HOST))) {
      return Future.failedFuture(new Denied(403, "origin not allowed: " + origin));
    }
    ClientLimits.Admission admission = limits.admit(handshake.remoteAddress().hostAddress());
    if (!admission.admitted()) {
      return Future.failedFuture(new Denied(admission.status(), "connection limit: " + admission.verdict()));
    }
    String token = TokenAuth.tokenOf(handshake.headers(), handshake.query());
    return tokens.check(handshake.path(), token)
        .<Admitted>map(user -> new Admitted(user, admission.permit()))
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
    String token = TokenAuth.tokenOf(rc.request().headers(), rc.request().query());
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
   * Router handler for the SockJS bridge's HTTP requests: Origin (403), declared body size (413), then token.
   * A body without a declared length is bounded by the body handler that follows.
   */
  void guardBridge(RoutingContext rc, int maxBodyBytes) {
    String origin = rc.request().getHeader(HttpHeaders.ORIGIN);
    if (!origins.allows(origin, rc.request().getHeader(HttpHeaders.HOST))) {
      rc.fail(403, new IllegalStateException("origin not allowed: " + origin));
      return;
    }
    String length = rc.request().getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null && parseLength(length) > maxBodyBytes) {
      rc.fail(413, new IllegalArgumentException("message too large: the limit is " + maxBodyBytes + " bytes"));
      return;
    }
    requireToken(rc);
  }

  private static long parseLength(String length) {
    try {
      return Long.parseLong(length.trim());
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }
}

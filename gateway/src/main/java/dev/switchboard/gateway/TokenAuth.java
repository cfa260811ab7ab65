package dev.switchboard.gateway;

import dev.switchboard.shared.config.SecuritySettings;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.util.ArrayList;
import java.util.List;

/**
 * JWT authentication for the gateway (HS256 with a secret from the environment or a file; optionally RS256/ES256
 * with a public key file), and which paths need it ({@link PathRules}: with a key, everything but {@code /health}
 * and the public list). A token comes in {@code Authorization: Bearer ...} or, on WebSocket upgrades and
 * {@code /eventbus} only (browsers cannot set headers there), the {@code token} query parameter ({@link QueryToken}).
 * A token that is presented is always checked, on public routes too: a forged, expired, wrongly signed or too old
 * one is refused, never ignored. Without any key configured nothing is protected and every presented token is
 * refused.
 */
final class TokenAuth {

  /** The query parameter that carries a token on WebSocket and SockJS URLs. */
  static final String QUERY_PARAMETER = QueryToken.NAME;

  /** Why a request was refused: 401 for a missing or bad token. */
  static final class Refused extends RuntimeException {
    Refused(String message) {
      super(message, null, false, false);
    }
  }

  private final JWTAuth jwt;
  private final PathRules rules;
  private final long maxAgeSeconds;

  private TokenAuth(JWTAuth jwt, PathRules rules, long maxAgeSeconds) {
    this.jwt = jwt;
    this.rules = rules;
    this.maxAgeSeconds = maxAgeSeconds;
  }

  /** Reads the key files (asynchronously) and builds the provider. */
  static Future<TokenAuth> create(Vertx vertx, SecuritySettings.Auth auth) {
    if (!auth.configured()) {
      return Future.succeededFuture(new TokenAuth(null, null, 0));
    }
    Future<String> secret = auth.secretFile()
        .map(file -> vertx.fileSystem().readFile(file).map(bytes -> bytes.toString().trim()))
        .orElse(Future.succeededFuture(auth.secret().orElse(null)));
    Future<Buffer> publicKey = auth.publicKeyFile()
        .map(file -> vertx.fileSystem().readFile(file))
        .orElse(Future.succeededFuture());
    return Future.all(secret, publicKey).map(keys -> {
      JWTAuthOptions options = new JWTAuthOptions();
      if (secret.result() != null) {
        if (secret.result().length() < 32) {
          throw new IllegalArgumentException("the JWT secret must be at least 32 characters (HS256)");
        }
        options.addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret.result()));
      }
      if (publicKey.result() != null) {
        options.addPubSecKey(new PubSecKeyOptions().setAlgorithm(auth.publicKeyAlgorithm()).setBuffer(publicKey.result()));
      }
      JWTOptions checks = new JWTOptions();
      auth.issuer().ifPresent(checks::setIssuer);
      auth.audience().ifPresent(audience -> checks.setAudience(List.of(audience)));
      options.setJWTOptions(checks);
      List<String> open = new ArrayList<>(auth.publicPaths());
      open.add(SecuritySettings.Auth.HEALTH);
      // the dashboard's page and assets carry no data and may be listed public; its feed (task args and results) may not
      List<String> closed = new ArrayList<>(auth.protect());
      closed.add(DashboardRoutes.EVENTS);
      return new TokenAuth(JWTAuth.create(vertx, options), new PathRules(closed, open), auth.maxTokenAgeSeconds());
    });
  }

  /** Whether {@code path} (or a name such as {@code tcp-bridge}) needs a valid token. */
  boolean protects(String path) {
    return rules != null && rules.protects(path);
  }

  /** Whether any path needs a token: with a key configured, all but the public ones. */
  boolean protectsAnyHttpPath() {
    return jwt != null;
  }

  /**
   * Checks the token of a request to {@code path}: the Future holds the token's subject, null when no token was
   * presented on a public path, and fails with {@link Refused} otherwise.
   */
  Future<String> check(String path, String token) {
    if (token == null) {
      return protects(path) ? Future.failedFuture(new Refused("a token is required for " + path)) : Future.succeededFuture();
    }
    return authenticate(token);
  }

  /** The subject ({@code sub}) of a valid token that is not too old; fails with {@link Refused}. */
  Future<String> authenticate(String token) {
    if (jwt == null) {
      return Future.failedFuture(new Refused("tokens are not accepted: no JWT key is configured"));
    }
    Future<User> verified;
    try {
      verified = jwt.authenticate(new TokenCredentials(token));
    } catch (RuntimeException e) {
      // the JWT library throws, rather than fails its Future, on a signed token whose claims have the wrong types
      // ("iat": "yesterday"): still the client's bad token, a 401, not an internal error
      verified = Future.failedFuture(e);
    }
    return verified
        .recover(err -> Future.failedFuture(new Refused("invalid token: " + err.getMessage())))
        .map(this::subject);
  }

  private String subject(User user) {
    JsonObject claims = user.attributes().getJsonObject("accessToken", user.principal());
    checkAge(claims);
    Object sub = claims.getValue("sub", user.principal().getValue("sub"));
    if (!(sub instanceof String subject) || subject.isBlank()) {
      throw new Refused("the token has no subject (sub)");
    }
    return subject;
  }

  /**
   * A token lives at most {@code maxAgeSeconds}: issued ({@code iat}) no longer ago, and expiring ({@code exp})
   * no further ahead. One with neither claim would be valid forever and is refused.
   */
  private void checkAge(JsonObject claims) {
    if (maxAgeSeconds <= 0) {
      return;
    }
    long now = System.currentTimeMillis() / 1000;
    Object iat = claims.getValue("iat");
    Object exp = claims.getValue("exp");
    if (!(iat instanceof Number) && !(exp instanceof Number)) {
      throw new Refused("the token has neither exp nor iat: its age cannot be bounded (auth.maxTokenAgeSeconds)");
    }
    if (iat instanceof Number issued && now - issued.longValue() > maxAgeSeconds) {
      throw new Refused("the token was issued more than " + maxAgeSeconds + " s ago (auth.maxTokenAgeSeconds)");
    }
    if (exp instanceof Number expires && expires.longValue() - now > maxAgeSeconds) {
      throw new Refused("the token expires more than " + maxAgeSeconds + " s from now (auth.maxTokenAgeSeconds)");
    }
  }

  /** The {@code Authorization: Bearer} token of a request, or null. */
  static String bearerOf(MultiMap headers) {
    String authorization = headers.get("Authorization");
    if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return authorization.substring(7).trim();
    }
    return null;
  }

  /** The bearer token of a WebSocket or {@code /eventbus} request: the header, else the parsed query's token. */
  static String tokenOf(MultiMap headers, QueryToken query) {
    String bearer = bearerOf(headers);
    return bearer != null ? bearer : query.token();
  }
}

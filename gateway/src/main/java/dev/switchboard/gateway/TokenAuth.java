package dev.switchboard.gateway;

import dev.switchboard.shared.config.SecuritySettings;
import io.netty.handler.codec.http.QueryStringDecoder;
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
import java.util.List;

/**
 * JWT authentication for the gateway (HS256 with a secret from the environment or a file; optionally RS256/ES256
 * with a public key file), and which paths need it. A token comes in {@code Authorization: Bearer ...} or, for
 * WebSockets (browsers cannot set headers on them), the {@code token} query parameter. A token that is
 * presented is always checked, on public routes too: a forged, expired or wrongly signed one is refused, never
 * ignored. Without any key configured nothing is protected and every presented token is refused.
 */
final class TokenAuth {

  /** The query parameter that carries a token on WebSocket and SockJS URLs. */
  static final String QUERY_PARAMETER = "token";

  /** Why a request was refused: 401 for a missing or bad token. */
  static final class Refused extends RuntimeException {
    Refused(String message) {
      super(message, null, false, false);
    }
  }

  private final JWTAuth jwt;
  private final List<String> protect;

  private TokenAuth(JWTAuth jwt, List<String> protect) {
    this.jwt = jwt;
    this.protect = protect;
  }

  /** Reads the key files (asynchronously) and builds the provider. */
  static Future<TokenAuth> create(Vertx vertx, SecuritySettings.Auth auth) {
    if (!auth.configured()) {
      return Future.succeededFuture(new TokenAuth(null, List.of()));
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
      return new TokenAuth(JWTAuth.create(vertx, options), auth.protect());
    });
  }

  /** Whether {@code path} (or a name such as {@code tcp-bridge}) needs a valid token. */
  boolean protects(String path) {
    for (String prefix : protect) {
      if (path.equals(prefix) || prefix.startsWith("/") && path.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  boolean protectsAnyHttpPath() {
    return protect.stream().anyMatch(prefix -> prefix.startsWith("/"));
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

  /** The subject ({@code sub}) of a valid token; fails with {@link Refused}. */
  Future<String> authenticate(String token) {
    if (jwt == null) {
      return Future.failedFuture(new Refused("tokens are not accepted: no JWT key is configured"));
    }
    return jwt.authenticate(new TokenCredentials(token))
        .recover(err -> Future.failedFuture(new Refused("invalid token: " + err.getMessage())))
        .map(TokenAuth::subject);
  }

  private static String subject(User user) {
    JsonObject claims = user.attributes().getJsonObject("accessToken", user.principal());
    String sub = claims.getString("sub", user.principal().getString("sub"));
    if (sub == null || sub.isBlank()) {
      throw new Refused("the token has no subject (sub)");
    }
    return sub;
  }

  /** The bearer token of a request: the {@code Authorization} header, else the {@code token} query parameter. */
  static String tokenOf(MultiMap headers, String query) {
    String authorization = headers.get("Authorization");
    if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return authorization.substring(7).trim();
    }
    if (query == null || query.isEmpty()) {
      return null;
    }
    List<String> values = new QueryStringDecoder(query, false).parameters().get(QUERY_PARAMETER);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /** The query string without its {@code token} parameter, so the token never reaches a consumer. */
  static String queryWithoutToken(String query) {
    if (query == null || query.isEmpty() || !query.contains(QUERY_PARAMETER + "=")) {
      return query == null ? "" : query;
    }
    StringBuilder kept = new StringBuilder();
    for (String part : query.split("&")) {
      if (!part.startsWith(QUERY_PARAMETER + "=") && !part.isEmpty()) {
        kept.append(kept.length() == 0 ? "" : "&").append(part);
      }
    }
    return kept.toString();
  }
}

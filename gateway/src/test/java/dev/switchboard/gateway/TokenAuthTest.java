package dev.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.switchboard.shared.config.SecuritySettings;
import dev.switchboard.shared.config.SwitchboardConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
@DisplayName("Token checks")
class TokenAuthTest {

  private static final String SECRET = "token-auth-test-secret-of-at-least-32-characters";

  @Test
  @DisplayName("a token signed with the key whose claims have the wrong types (iat a string, sub an array) is refused, not an internal error")
  void wronglyTypedClaimsAreRefused(Vertx vertx, VertxTestContext testContext) {
    String token = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(SECRET)))
        .generateToken(new JsonObject().put("sub", new JsonArray().add(1)).put("iat", "yesterday"),
            new JWTOptions().setExpiresInSeconds(300).setNoTimestamp(true));
    SecuritySettings.Auth auth = SwitchboardConfig.fromJson(new JsonObject().put("auth", new JsonObject().put("jwtSecret", SECRET)))
        .security().auth();
    TokenAuth.create(vertx, auth)
        .compose(tokens -> tokens.authenticate(token))
        .onComplete(testContext.failing(err -> testContext.verify(() -> {
          assertInstanceOf(TokenAuth.Refused.class, err, err.toString());
          testContext.completeNow();
        })));
  }
}

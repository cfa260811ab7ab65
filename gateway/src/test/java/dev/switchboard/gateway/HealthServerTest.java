package dev.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.switchboard.shared.config.SwitchboardConfig;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
@DisplayName("The health port of a node without a gateway follows the gateway's rules")
class HealthServerTest {

  private static final String SECRET = "health-server-test-secret-0123456789abcdef";

  // a field: Vert.x closes an unreachable client (a Cleaner)
  private HttpClient http;

  private Future<Integer> deploy(Vertx vertx, JsonArray publicPaths) {
    JsonObject config = SwitchboardConfig.fromJson(new JsonObject()
        .put("http", new JsonObject().put("port", 0).put("host", "127.0.0.1"))
        .put("auth", new JsonObject().put("jwtSecret", SECRET).put("public", publicPaths))).toJson();
    HealthServerVerticle server = new HealthServerVerticle();
    http = vertx.createHttpClient();
    return vertx.deployVerticle(server, new DeploymentOptions().setConfig(config)).map(id -> server.actualPort());
  }

  private Future<Integer> get(int port, String path, String token, String host) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port).setURI(path);
    if (token != null) {
      options.addHeader("Authorization", "Bearer " + token);
    }
    if (host != null) {
      options.addHeader("Host", host);
    }
    return http.request(options).compose(request -> request.send()).compose(response -> response.body().map(b -> response.statusCode()));
  }

  @Test
  @DisplayName("with a JWT key, /metrics needs a token (401 without, or with a bad one); /health stays open; a foreign Host gets 421")
  void metricsNeedAToken(Vertx vertx, VertxTestContext testContext) {
    String token = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(SECRET)))
        .generateToken(new JsonObject().put("sub", "scraper"), new JWTOptions().setExpiresInSeconds(300));
    deploy(vertx, new JsonArray()).compose(port -> {
      Future<Integer> none = get(port, "/metrics", null, null);
      Future<Integer> bad = get(port, "/metrics", token + "x", null);
      Future<Integer> good = get(port, "/metrics", token, null);
      Future<Integer> health = get(port, "/health", null, null);
      Future<Integer> foreign = get(port, "/health", null, "evil.example");
      return Future.all(List.of(none, bad, good, health, foreign)).onSuccess(v -> testContext.verify(() -> {
        assertEquals(401, none.result(), "no token");
        assertEquals(401, bad.result(), "a bad token");
        assertNotEquals(401, good.result(), "a valid token");
        assertNotEquals(401, health.result());
        assertEquals(421, foreign.result(), "a DNS-rebinding Host");
      }));
    }).onComplete(testContext.succeedingThenComplete());
  }

  @Test
  @DisplayName("listed public, /metrics is open without a token, as on the gateway")
  void metricsListedPublic(Vertx vertx, VertxTestContext testContext) {
    deploy(vertx, new JsonArray().add("/metrics"))
        .compose(port -> get(port, "/metrics", null, null))
        .onComplete(testContext.succeeding(status -> testContext.verify(() -> {
          assertNotEquals(401, status);
          testContext.completeNow();
        })));
  }
}

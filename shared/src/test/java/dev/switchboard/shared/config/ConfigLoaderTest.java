package dev.switchboard.shared.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
@Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
@DisplayName("Configuration")
class ConfigLoaderTest {

  @Test
  @DisplayName("defaults work on a laptop")
  void defaults() {
    SwitchboardConfig config = SwitchboardConfig.fromJson(new JsonObject());
    assertEquals(8080, config.http().port());
    assertEquals(8000, config.tcpEchoPort());
    assertEquals(List.of("127.0.0.1"), config.cluster().members());
    assertEquals("127.0.0.1", config.cluster().host());
    assertEquals(64 * 1024, config.websocket().maxFrameSize());
    assertTrue(config.redisUrl().isEmpty());
    assertTrue(config.pgUrl().isEmpty());
  }

  @Test
  @DisplayName("a YAML file is read, and values survive the round trip through verticle config")
  void readsYaml(Vertx vertx, VertxTestContext testContext, @TempDir Path dir) throws Exception {
    Path file = dir.resolve("switchboard.yaml");
    Files.writeString(file, "http:\n  port: 0\ncluster:\n  members: [10.0.0.1, 10.0.0.2]\nredis:\n  url: redis://127.0.0.1:6379\n");
    ConfigLoader.load(vertx, file).onComplete(testContext.succeeding(config -> testContext.verify(() -> {
      assertEquals(0, config.http().port());
      assertEquals(List.of("10.0.0.1", "10.0.0.2"), config.cluster().members());
      assertEquals(config, SwitchboardConfig.fromJson(config.toJson()));
      testContext.completeNow();
    })));
  }

  @Test
  @DisplayName("SWITCHBOARD_* environment variables override the file's nested settings")
  void environmentOverrides() {
    JsonObject merged = new JsonObject()
        .put("http", new JsonObject().put("port", 9000).put("host", "127.0.0.1"))
        .put("SWITCHBOARD_HTTP_PORT", "0")
        .put("SWITCHBOARD_CLUSTER_MEMBERS", "127.0.0.1, 127.0.0.2")
        .put("SWITCHBOARD_TCP_ECHO_PORT", "7000");
    SwitchboardConfig config = SwitchboardConfig.fromJson(ConfigLoader.applyEnvironment(merged));
    assertEquals(0, config.http().port());
    assertEquals("127.0.0.1", config.http().host());
    assertEquals(7000, config.tcpEchoPort());
    assertEquals(List.of("127.0.0.1", "127.0.0.2"), config.cluster().members());
  }

  @Test
  @DisplayName("a bad value fails with a message naming the setting and what was expected")
  void badValues() {
    ConfigException notANumber = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
        () -> SwitchboardConfig.fromJson(new JsonObject().put("http", new JsonObject().put("port", "eighty"))));
    assertEquals("http.port: expected an integer, got \"eighty\"", notANumber.getMessage());
    ConfigException outOfRange = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
        () -> SwitchboardConfig.fromJson(new JsonObject().put("tcpEcho", new JsonObject().put("port", 70000))));
    assertEquals("tcpEcho.port: expected an integer from 0 to 65535, got \"70000\"", outOfRange.getMessage());
  }

  @Test
  @DisplayName("an unreadable or malformed file fails with a ConfigException")
  void badFile(Vertx vertx, VertxTestContext testContext, @TempDir Path dir) throws Exception {
    Path broken = dir.resolve("broken.json");
    Files.writeString(broken, "{ not json");
    ConfigLoader.load(vertx, dir.resolve("missing.json")).onComplete(testContext.failing(missing -> {
      testContext.verify(() -> assertTrue(missing instanceof ConfigException && missing.getMessage().contains("cannot be read")));
      ConfigLoader.load(vertx, broken).onComplete(testContext.failing(malformed -> testContext.verify(() -> {
        assertTrue(malformed instanceof ConfigException, malformed.toString());
        assertTrue(malformed.getMessage().contains("not valid"), malformed.getMessage());
        testContext.completeNow();
      })));
    }));
  }
}

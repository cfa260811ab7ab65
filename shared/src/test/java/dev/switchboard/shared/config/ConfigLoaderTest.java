package dev.switchboard.shared.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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

  @Test
  @DisplayName("celery and channelsRedis are off by default, with the Python libraries' own defaults")
  void interopDefaults() {
    InteropSettings interop = SwitchboardConfig.fromJson(new JsonObject()).interop();
    InteropSettings.ChannelsRedis channels = interop.channelsRedis();
    assertFalse(channels.enabled());
    assertEquals(List.of(), channels.groups());
    assertEquals("asgi", channels.prefix());
    assertEquals(60, channels.expiry());
    assertEquals(86_400, channels.groupExpiry());
    assertEquals(100, channels.capacity());
    assertEquals(List.of(), channels.encryptionKeys());
    InteropSettings.Celery celery = interop.celery();
    assertFalse(celery.enabled());
    assertEquals(Map.of(), celery.aliases());
    assertTrue(celery.brokerUrl().isEmpty());
    assertEquals(86_400, celery.resultExpires());
    assertEquals("tasks.add", celery.taskName("tasks.add"));
  }

  @Test
  @DisplayName("every SWITCHBOARD_CELERY_* and SWITCHBOARD_CHANNELS_REDIS_* variable lands on its setting, and survives the round trip")
  void interopEnvironment() {
    JsonObject merged = new JsonObject()
        .put("celery", new JsonObject().put("queues", "from-file"))
        .put("SWITCHBOARD_CELERY_QUEUES", "jvm, jvm.slow")
        .put("SWITCHBOARD_CELERY_ALIASES", "tasks.long_running_task=long_running, tasks.add = add")
        .put("SWITCHBOARD_CELERY_BROKER_URL", "redis://celery-host:6379/2")
        .put("SWITCHBOARD_CELERY_RESULT_EXPIRES", "3600")
        .put("SWITCHBOARD_CHANNELS_REDIS_URL", "redis://django-host:6379/1")
        .put("SWITCHBOARD_CHANNELS_REDIS_GROUPS", "chat.lobby,re:chat\\..*")
        .put("SWITCHBOARD_CHANNELS_REDIS_PREFIX", "myapp")
        .put("SWITCHBOARD_CHANNELS_REDIS_EXPIRY", "30")
        .put("SWITCHBOARD_CHANNELS_REDIS_GROUP_EXPIRY", "600")
        .put("SWITCHBOARD_CHANNELS_REDIS_CAPACITY", "1000")
        .put("SWITCHBOARD_CHANNELS_REDIS_ENCRYPTION_KEYS", "new-key,old-key");
    SwitchboardConfig config = SwitchboardConfig.fromJson(ConfigLoader.applyEnvironment(merged));
    InteropSettings.Celery celery = config.interop().celery();
    assertTrue(celery.enabled());
    assertEquals(List.of("jvm", "jvm.slow"), celery.queues());
    assertEquals(Map.of("tasks.long_running_task", "long_running", "tasks.add", "add"), celery.aliases());
    assertEquals("long_running", celery.taskName("tasks.long_running_task"));
    assertEquals("redis://celery-host:6379/2", celery.brokerUrl().orElseThrow());
    assertEquals(3600, celery.resultExpires());
    InteropSettings.ChannelsRedis channels = config.interop().channelsRedis();
    assertTrue(channels.enabled());
    assertEquals("redis://django-host:6379/1", channels.url().orElseThrow());
    assertEquals(List.of("chat.lobby", "re:chat\\..*"), channels.groups());
    assertTrue(channels.bridges("chat.lobby"));
    assertTrue(channels.bridges("chat.room-7"));
    assertFalse(channels.bridges("chatXroom"));
    assertFalse(channels.bridges("news"));
    assertEquals("myapp", channels.prefix());
    assertEquals(30, channels.expiry());
    assertEquals(600, channels.groupExpiry());
    assertEquals(1000, channels.capacity());
    assertEquals(List.of("new-key", "old-key"), channels.encryptionKeys());
    assertEquals(config, SwitchboardConfig.fromJson(config.toJson()));
  }

  @Test
  @DisplayName("celery.aliases: a pair without a name on either side, or one Python name mapped twice, is refused")
  void badAliases() {
    for (String bad : List.of("tasks.add", "=add", "tasks.add=", " = ", "tasks.add=add,tasks.add=xsum")) {
      ConfigException error = assertThrows(ConfigException.class,
          () -> SwitchboardConfig.fromJson(new JsonObject().put("celery", new JsonObject().put("aliases", bad))), bad);
      assertTrue(error.getMessage().startsWith("celery.aliases: "), error.getMessage());
    }
  }

  @Test
  @DisplayName("channelsRedis.groups: a name channels_redis cannot hold, or a bad re: pattern, is refused naming it")
  void badBridgedGroups() {
    assertEquals(List.of("a", "x".repeat(99), "Chat_room-1.b"), SwitchboardConfig.fromJson(new JsonObject()
        .put("channelsRedis", new JsonObject().put("groups", "a," + "x".repeat(99) + ",Chat_room-1.b")))
        .interop().channelsRedis().groups());
    for (String bad : List.of("chat lobby", "chat/lobby", "x".repeat(100), "caf\u00e9", "re:chat[")) {
      ConfigException error = assertThrows(ConfigException.class, () -> SwitchboardConfig.fromJson(new JsonObject()
          .put("channelsRedis", new JsonObject().put("groups", new io.vertx.core.json.JsonArray().add(bad)))), bad);
      assertTrue(error.getMessage().startsWith("channelsRedis.groups: "), error.getMessage());
      assertTrue(error.getMessage().contains(bad), error.getMessage());
    }
  }

  @Test
  @DisplayName("channelsRedis and celery numbers out of range are refused naming the setting")
  void interopRanges() {
    for (JsonObject bad : List.of(new JsonObject().put("channelsRedis", new JsonObject().put("groupExpiry", 5)),
        new JsonObject().put("channelsRedis", new JsonObject().put("capacity", 0)),
        new JsonObject().put("channelsRedis", new JsonObject().put("expiry", 0)),
        new JsonObject().put("celery", new JsonObject().put("resultExpires", 0)))) {
      ConfigException error = assertThrows(ConfigException.class, () -> SwitchboardConfig.fromJson(bad));
      String section = bad.fieldNames().iterator().next();
      assertTrue(error.getMessage().startsWith(section + "."), error.getMessage());
    }
  }
}

package dev.switchboard.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.consumers.ConsumersVerticle;
import dev.switchboard.gateway.GatewayVerticle;
import dev.switchboard.interop.channels.ChannelsRedisBridge;
import dev.switchboard.shared.channels.ChannelLayerVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The channels_redis bridge against Debian's real python3-channels-redis 4.0.0 on the machine's Redis: a Django
 * side's group_send reaches Switchboard chat sockets, a Switchboard chat message reaches a channels_redis consumer.
 * Each test uses a prefix of its own, so nothing else on that Redis is touched.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 90, timeUnit = TimeUnit.SECONDS)
class ChannelsRedisBridgeTest {

  private static final String REDIS = "redis://127.0.0.1:6379/0";
  private final String prefix = "asgitest" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
  private final List<RoomClient> clients = new ArrayList<>();
  private final List<ScriptRun> scripts = new ArrayList<>();
  private Redis redis;
  private int port;

  private void start(Vertx vertx, String encryptionKey) throws Exception {
    start(vertx, encryptionKey, 86_400);
  }

  private void start(Vertx vertx, String encryptionKey, int groupExpiry) throws Exception {
    JsonObject bridge = new JsonObject().put("url", REDIS).put("prefix", prefix).put("groups", "re:chat\\..*")
        .put("groupExpiry", groupExpiry);
    if (encryptionKey != null) {
      bridge.put("encryptionKeys", new JsonArray().add(encryptionKey));
    }
    JsonObject config = new JsonObject()
        .put("http", new JsonObject().put("port", 0).put("host", "127.0.0.1").put("instances", 1))
        .put("channelsRedis", bridge);
    DeploymentOptions options = new DeploymentOptions().setConfig(config);
    GatewayVerticle gateway = GatewayVerticle.standalone();
    redis = Redis.createClient(vertx, REDIS);
    vertx.deployVerticle(ChannelLayerVerticle.standalone(), options)
        .compose(v -> vertx.deployVerticle(new ChannelsRedisBridge(), options))
        .compose(v -> vertx.deployVerticle(ConsumersVerticle.standalone(), options))
        .compose(v -> vertx.deployVerticle(gateway, options))
        .await(30, TimeUnit.SECONDS);
    port = gateway.actualPort();
  }

  @AfterEach
  void stop() throws Exception {
    for (ScriptRun script : scripts) {
      script.close();
    }
    Future.all(clients.stream().map(RoomClient::close).toList()).await(30, TimeUnit.SECONDS);
    if (redis != null) { // what a peer killed mid-test left (its group membership, its channel's messages)
      redis.send(Request.cmd(Command.EVAL)
              .arg("for _, k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', k) end return 1")
              .arg(0).arg(prefix + "*"))
          .eventually(redis::close).await(20, TimeUnit.SECONDS);
    }
  }

  private RoomClient join(Vertx vertx, String room) throws Exception {
    RoomClient client = RoomClient.connect(vertx, port, "/ws/chat/" + room).await(30, TimeUnit.SECONDS);
    clients.add(client);
    return client;
  }

  private ScriptRun peer(String key, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("/usr/bin/python3", "python/interop/channels_peer.py",
        "--redis", REDIS, "--prefix", prefix));
    if (key != null) {
      command.addAll(List.of("--key", key));
    }
    command.addAll(List.of(args));
    ScriptRun run = ScriptRun.start(command);
    scripts.add(run);
    return run;
  }

  /** How many members channels_redis' sorted set of {@code group} has. */
  private Future<Integer> members(String group) {
    return redis.send(Request.cmd(Command.ZCARD).arg(prefix + ":group:" + group)).map(r -> r.toInteger());
  }

  private void awaitMembers(Vertx vertx, String group, int count) throws Exception {
    Eventually.eventually(vertx, 20_000, () -> members(group).map(n -> n == count)).await(30, TimeUnit.SECONDS);
  }

  private void djangoSends(String key, String group, JsonObject message) throws Exception {
    ScriptRun send = peer(key, "send", group, message.encode());
    assertEquals(0, send.awaitExit(60), send.output());
  }

  @Test
  @DisplayName("a Django group_send reaches every Switchboard member of the room as the chat frame, and the bridge leaves the group with its last member")
  void djangoToSwitchboard(Vertx vertx) throws Exception {
    start(vertx, null);
    RoomClient ann = join(vertx, "lobby");
    RoomClient bob = join(vertx, "lobby");
    RoomClient elsewhere = join(vertx, "kitchen");
    awaitMembers(vertx, "chat.lobby", 1); // one channel for the node, however many sockets it holds
    awaitMembers(vertx, "chat.kitchen", 1);

    djangoSends(null, "chat.lobby", new JsonObject().put("type", "chat.message").put("user", "django").put("message", "hi"));
    for (RoomClient client : List.of(ann, bob)) {
      JsonObject frame = new JsonObject(client.first(1).await(30, TimeUnit.SECONDS).get(0));
      assertEquals("lobby", frame.getString("room"));
      assertEquals("django", frame.getString("user"));
      assertEquals("hi", frame.getString("message"));
      assertTrue(frame.getLong("ts") > 0, frame.encode());
    }
    // the other room hears its own Django message, and nothing before it
    djangoSends(null, "chat.kitchen", new JsonObject().put("type", "chat.message").put("user", "django").put("message", "k"));
    assertEquals("k", new JsonObject(elsewhere.first(1).await(30, TimeUnit.SECONDS).get(0)).getString("message"));
    assertEquals(1, elsewhere.received.size());
    assertEquals(1, ann.received.size());

    ann.close().await(30, TimeUnit.SECONDS);
    bob.close().await(30, TimeUnit.SECONDS);
    awaitMembers(vertx, "chat.lobby", 0);
  }

  @Test
  @DisplayName("a Switchboard chat message reaches the channels_redis consumer in the room once, and is not echoed back")
  void switchboardToDjango(Vertx vertx) throws Exception {
    start(vertx, null);
    ScriptRun django = peer(null, "receive", "chat.lobby", "2");
    django.awaitLine("joined", 30);
    RoomClient ann = join(vertx, "lobby");
    awaitMembers(vertx, "chat.lobby", 2);

    ann.send(new JsonObject().put("message", "from the jvm").encode()).await(30, TimeUnit.SECONDS);
    assertEquals("from the jvm", new JsonObject(ann.first(1).await(30, TimeUnit.SECONDS).get(0)).getString("message"));
    django.awaitLine("from the jvm", 30);

    // a later Django message reaches both sides once; nothing came in between (no echo, no duplicate)
    djangoSends(null, "chat.lobby", new JsonObject().put("type", "chat.message").put("user", "django").put("message", "later"));
    assertEquals("later", new JsonObject(ann.first(2).await(30, TimeUnit.SECONDS).get(1)).getString("message"));
    assertEquals(0, django.awaitExit(30), django.output());
    List<String> received = django.output().lines().filter(line -> line.startsWith("received ")).toList();
    assertEquals(2, received.size(), django.output());
    JsonObject first = new JsonObject(received.get(0).substring("received ".length()));
    assertEquals("websocket.send", first.getString("type"));
    assertEquals("from the jvm", new JsonObject(first.getString("text")).getString("message"));
    assertTrue(received.get(1).contains("later"), django.output());
    assertEquals(2, ann.received.size(), ann.received.toString());
  }

  @Test
  @DisplayName("while a local member stays, the bridge's membership is renewed (score and TTL) past group_expiry, so a Django group_send still reaches it")
  void membershipRefreshed(Vertx vertx) throws Exception {
    start(vertx, null, 10); // channels_redis' group_expiry of 10 s on both sides: the bridge renews every 2.5 s
    RoomClient ann = join(vertx, "lobby");
    awaitMembers(vertx, "chat.lobby", 1);
    String group = prefix + ":group:chat.lobby";
    double joined = score(group).await(10, TimeUnit.SECONDS);
    // the member's score moves past its first group_expiry: every Django group_send since would have dropped it
    Eventually.eventually(vertx, 30_000, () -> score(group).map(now -> now >= joined + 10)).await(40, TimeUnit.SECONDS);
    long ttl = redis.send(Request.cmd(Command.TTL).arg(group)).await(10, TimeUnit.SECONDS).toLong();
    assertTrue(ttl > 0 && ttl <= 10, "TTL " + ttl); // renewed, or the key would be gone by now
    ScriptRun send = peer(null, "--group-expiry", "10", "send", "chat.lobby",
        new JsonObject().put("type", "chat.message").put("user", "django").put("message", "still here").encode());
    assertEquals(0, send.awaitExit(60), send.output());
    assertEquals("still here", new JsonObject(ann.first(1).await(30, TimeUnit.SECONDS).get(0)).getString("message"));
  }

  /** The score (channels_redis' join time, seconds) of the one member of {@code key}. */
  private Future<Double> score(String key) {
    return redis.send(Request.cmd(Command.ZRANGE).arg(key).arg(0).arg(0).arg("WITHSCORES")).map(reply -> {
      // RESP3 answers [[member, score]], RESP2 [member, score]
      Response first = reply.get(0);
      return first.type() == io.vertx.redis.client.ResponseType.MULTI ? first.get(1).toDouble() : reply.get(1).toDouble();
    });
  }

  @Test
  @DisplayName("a room whose group is as long as Channels allows (99 characters) is bridged both ways")
  void longestGroup(Vertx vertx) throws Exception {
    start(vertx, null);
    String room = "r".repeat(99 - "chat.".length());
    String group = "chat." + room;
    ScriptRun django = peer(null, "receive", group, "2");
    django.awaitLine("joined", 30);
    RoomClient ann = join(vertx, room);
    awaitMembers(vertx, group, 2);
    djangoSends(null, group, new JsonObject().put("type", "chat.message").put("user", "django").put("message", "long in"));
    assertEquals("long in", new JsonObject(ann.first(1).await(30, TimeUnit.SECONDS).get(0)).getString("message"));
    ann.send(new JsonObject().put("message", "long out").encode()).await(30, TimeUnit.SECONDS);
    django.awaitLine("long out", 30);
    assertEquals(0, django.awaitExit(30), django.output());
  }

  @Test
  @DisplayName("with symmetric_encryption_keys both sides read each other's Fernet-encrypted messages")
  void encrypted(Vertx vertx) throws Exception {
    String key = "not-a-real-secret-" + prefix;
    start(vertx, key);
    ScriptRun django = peer(key, "receive", "chat.lobby", "2");
    django.awaitLine("joined", 30);
    RoomClient ann = join(vertx, "lobby");
    awaitMembers(vertx, "chat.lobby", 2);

    djangoSends(key, "chat.lobby", new JsonObject().put("type", "chat.message").put("user", "django").put("message", "sealed"));
    assertEquals("sealed", new JsonObject(ann.first(1).await(30, TimeUnit.SECONDS).get(0)).getString("message"));
    django.awaitLine("sealed", 30); // Django hears its own group send, as channels_redis always does
    ann.send(new JsonObject().put("message", "sealed reply").encode()).await(30, TimeUnit.SECONDS);
    assertEquals("sealed reply", new JsonObject(ann.first(2).await(30, TimeUnit.SECONDS).get(1)).getString("message"));
    django.awaitLine("sealed reply", 30);
    assertEquals(0, django.awaitExit(30), django.output());
  }
}

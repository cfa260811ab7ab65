package dev.switchboard.interop.channels;

import dev.switchboard.shared.config.InteropSettings;
import dev.switchboard.shared.config.SwitchboardConfig;
import dev.switchboard.shared.metrics.SwitchboardMetrics;
import dev.switchboard.shared.protocol.Addresses;
import dev.switchboard.shared.tasks.LuaScript;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bridges this node's Switchboard groups to a Django project's channels_redis layer on the same Redis, for the
 * groups named in {@code channelsRedis.groups}. Deploy one per node, after the channel layer, only when
 * {@code channelsRedis.url} is set.
 *
 * <ul>
 *   <li>Django → Switchboard: while this node has local members of a bridged group {@code g}, the bridge's own
 *       channel {@code sb.<hex>!g} is a member of channels_redis' group {@code g} (refreshed well inside
 *       {@code group_expiry}, removed when the last local member leaves). One loop reads the node's inbox with
 *       {@code BZPOPMIN}, as channels_redis does, and hands each message to this node's own members only: every
 *       node with members holds its own channel, so every Switchboard member gets a Django group send once.</li>
 *   <li>Switchboard → Django: a group send made on this node to a bridged group is written, as channels_redis'
 *       {@code group_send} writes it, to the group's channels that are not Switchboard's (the Switchboard members
 *       got it through the cluster already): no duplicate, and no echo back.</li>
 * </ul>
 *
 * <p>At most once, as channels_redis itself; unlike it, every drop is counted ({@value #DROPS} by reason).
 */
public final class ChannelsRedisBridge extends VerticleBase {

  static final String MESSAGES = "switchboard.channels_redis.messages";
  static final String DROPS = "switchboard.channels_redis.drops";
  private static final Logger log = LoggerFactory.getLogger(ChannelsRedisBridge.class);
  private static final LuaScript MEMBERS = LuaScript.load(ChannelsRedisBridge.class, "group-members.lua");
  private static final LuaScript SEND = LuaScript.load(ChannelsRedisBridge.class, "group-send.lua");
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);
  /** How long one BZPOPMIN waits, as channels_redis' brpop_timeout: it bounds how long a stop waits. */
  private static final int POLL_SECONDS = 5;
  /** Bridged groups with local members, at most; past it a group is not bridged and counted. */
  static final int MAX_GROUPS = 10_000;
  /** Outbound group sends in flight to Redis, at most; past it a send is dropped and counted. */
  static final int MAX_IN_FLIGHT = 1_000;
  private static final long RECONNECT_MS = 1_000;

  private InteropSettings.ChannelsRedis settings;
  private ChannelsRedisKeys keys;
  private AsgiMessageCodec codec;
  private Redis redis;
  private Redis receiver;
  private RedisConnection inbox;
  /** The bridged groups with local members, by this node's member channel in each. */
  private final Map<String, String> joined = new HashMap<>();
  private final Set<String> refused = new HashSet<>();
  private int inFlight;
  private boolean running;
  private long refreshTimer;
  private MeterRegistry registry;

  @Override
  public Future<?> start() {
    settings = SwitchboardConfig.fromJson(config()).interop().channelsRedis();
    keys = new ChannelsRedisKeys(settings.prefix());
    codec = new AsgiMessageCodec(Fernet.of(settings.encryptionKeys()));
    RedisOptions options = new RedisOptions().setConnectionString(settings.url().orElseThrow());
    redis = Redis.createClient(vertx, new RedisOptions(options).setMaxPoolSize(4).setMaxWaitingHandlers(MAX_IN_FLIGHT * 2));
    receiver = Redis.createClient(vertx, new RedisOptions(options).setMaxPoolSize(1));
    registry = SwitchboardMetrics.registry(vertx);
    running = true;
    long refreshMs = Math.min(settings.groupExpiry() * 1000L / 4, 3_600_000L);
    refreshTimer = vertx.setPeriodic(refreshMs, id -> refresh());
    return Future.all(
            vertx.eventBus().<JsonObject>localConsumer(Addresses.LAYER_LOCAL_GROUPS, this::onLocalGroup).completion(),
            vertx.eventBus().<JsonObject>localConsumer(Addresses.LAYER_GROUP_SENT, this::onGroupSent).completion(),
            redis.send(Request.cmd(Command.PING)))
        .onSuccess(v -> {
          log.info("channels_redis bridge on {} (prefix '{}', groups {}), inbox {}", redact(settings.url().get()),
              settings.prefix(), settings.groups(), keys.inbox());
          receiveNext();
        });
  }

  @Override
  public Future<?> stop() {
    running = false;
    vertx.cancelTimer(refreshTimer);
    List<Future<?>> leaving = joined.entrySet().stream().<Future<?>>map(e -> redis.send(
        Request.cmd(Command.ZREM).arg(keys.group(e.getValue())).arg(e.getKey()))).toList();
    joined.clear();
    return Future.join(leaving).eventually(() -> {
      if (inbox != null) {
        inbox.close();
      }
      return Future.join(receiver.close(), redis.close());
    });
  }

  private void onLocalGroup(Message<JsonObject> msg) {
    String group = msg.body().getString("group");
    if (!settings.bridges(group)) {
      return;
    }
    if (Boolean.TRUE.equals(msg.body().getBoolean("present"))) {
      join(group);
    } else if (joined.remove(keys.member(group)) != null) {
      redis.send(Request.cmd(Command.ZREM).arg(keys.group(group)).arg(keys.member(group)))
          .onFailure(err -> log.warn("channels_redis group {}: could not leave: {}", group, err.getMessage()));
    }
  }

  private void join(String group) {
    String refusal = keys.refusal(group);
    if (refusal == null && joined.size() >= MAX_GROUPS) {
      refusal = "this node already bridges " + MAX_GROUPS + " groups, the most allowed";
    }
    if (refusal != null) {
      drop("refused_group");
      if (refused.size() < MAX_GROUPS && refused.add(group)) {
        log.error("channels_redis bridge: group not bridged: {}", refusal);
      }
      return;
    }
    joined.put(keys.member(group), group);
    addMember(group).onFailure(err -> log.warn("channels_redis group {}: could not join: {}", group, err.getMessage()));
  }

  private Future<Response> addMember(String group) {
    return redis.batch(List.of(
            Request.cmd(Command.ZADD).arg(keys.group(group)).arg(nowSeconds()).arg(keys.member(group)),
            Request.cmd(Command.EXPIRE).arg(keys.group(group)).arg(settings.groupExpiry())))
        .map(replies -> replies.get(0));
  }

  /** Re-adds every membership so channels_redis' group expiry never forgets a group that still has members here. */
  private void refresh() {
    joined.values().forEach(group -> addMember(group)
        .onFailure(err -> log.warn("channels_redis group {}: could not refresh: {}", group, err.getMessage())));
  }

  private void receiveNext() {
    if (!running) {
      return;
    }
    Future<RedisConnection> connection = inbox != null ? Future.succeededFuture(inbox)
        : receiver.connect().onSuccess(c -> inbox = c.exceptionHandler(err -> inbox = null));
    connection
        .compose(c -> c.send(Request.cmd(Command.BZPOPMIN).arg(keys.inbox()).arg(POLL_SECONDS)))
        .compose(this::deliver)
        .onSuccess(v -> receiveNext())
        .onFailure(err -> {
          if (running) {
            log.warn("channels_redis bridge: reading {} failed ({}), retrying", keys.inbox(), err.getMessage());
            if (inbox != null) {
              inbox.close();
              inbox = null;
            }
            vertx.setTimer(RECONNECT_MS, id -> receiveNext());
          }
        });
  }

  /** One popped message ({@code [key, payload, score]}, or null when the poll timed out) to this node's members. */
  private Future<Void> deliver(Response popped) {
    if (popped == null || popped.size() < 2) {
      return Future.succeededFuture();
    }
    JsonObject message;
    try {
      message = codec.decode(popped.get(1).toBuffer(), settings.expiry() + 10);
    } catch (IllegalArgumentException e) {
      drop("undecodable");
      log.warn("channels_redis bridge: message on {} dropped: {}", keys.inbox(), e.getMessage());
      return Future.succeededFuture();
    }
    Object addressed = message.remove("__asgi_channel__");
    List<String> channels = addressed instanceof JsonArray array
        ? array.stream().map(String::valueOf).toList()
        : addressed == null ? List.of() : List.of(addressed.toString());
    List<Future<?>> deliveries = new ArrayList<>();
    for (String channel : channels) {
      String group = joined.get(channel);
      if (group != null) {
        count("in");
        deliveries.add(vertx.eventBus().request(Addresses.LAYER_DELIVER_LOCAL,
            new JsonObject().put("group", group).put("message", message), LOCAL));
      } else {
        drop("no_local_members");
      }
    }
    return Future.join(deliveries).otherwiseEmpty().mapEmpty();
  }

  private void onGroupSent(Message<JsonObject> msg) {
    String group = msg.body().getString("group");
    if (!settings.bridges(group)) {
      return;
    }
    if (keys.refusal(group) != null) {
      drop("refused_group");
      return;
    }
    if (inFlight >= MAX_IN_FLIGHT) {
      drop("busy");
      return;
    }
    inFlight++;
    JsonObject message = msg.body().getJsonObject("message");
    MEMBERS.run(redis, List.of(keys.group(group)), List.of(nowWholeSeconds() - settings.groupExpiry()))
        .compose(members -> sendTo(members, message))
        .onFailure(err -> {
          drop("redis_error");
          log.warn("channels_redis group send to {} failed: {}", group, err.getMessage());
        })
        .onComplete(ar -> inFlight--);
  }

  /** What channels_redis' group_send writes: one message per channel key, naming the key's member channels. */
  private Future<Void> sendTo(Response members, JsonObject message) {
    Map<String, JsonArray> byKey = new LinkedHashMap<>();
    for (Response member : members) {
      String channel = member.toString();
      if (!ChannelsRedisKeys.isSwitchboard(channel)) {
        byKey.computeIfAbsent(keys.channelKey(channel), k -> new JsonArray()).add(channel);
      }
    }
    if (byKey.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Object> args = new ArrayList<>();
    byKey.values().forEach(channels -> args.add(codec.encode(message.copy().put("__asgi_channel__", channels))));
    args.add(settings.capacity());
    args.add(nowSeconds());
    args.add(settings.expiry());
    return SEND.run(redis, List.copyOf(byKey.keySet()), args).map(over -> {
      int dropped = over.toInteger();
      for (int i = 0; i < byKey.size(); i++) {
        if (i < dropped) {
          drop("over_capacity");
        } else {
          count("out");
        }
      }
      return null;
    });
  }

  private void count(String direction) {
    Counter.builder(MESSAGES).description("Messages the channels_redis bridge carried, by direction")
        .tag("direction", direction).register(registry).increment();
  }

  private void drop(String reason) {
    Counter.builder(DROPS).description("Messages or groups the channels_redis bridge dropped, by reason")
        .tag("reason", reason).register(registry).increment();
  }

  /** Now in seconds with a fraction, written out plainly, as channels_redis scores its sorted sets. */
  private static String nowSeconds() {
    return java.math.BigDecimal.valueOf(System.currentTimeMillis(), 3).toPlainString();
  }

  private static long nowWholeSeconds() {
    return System.currentTimeMillis() / 1000;
  }

  private static String redact(String url) {
    return url.replaceAll("//[^@/]*@", "//***@");
  }
}

package dev.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.switchboard.shared.channels.ChannelLayerVerticle;
import dev.switchboard.shared.channels.EventBusChannelLayer;
import dev.switchboard.shared.channels.LocalChannels;
import dev.switchboard.shared.config.SwitchboardConfig;
import dev.switchboard.shared.protocol.Addresses;
import dev.switchboard.shared.routes.Route;
import dev.switchboard.shared.routes.RouteAnnouncer;
import dev.switchboard.api.protocol.Asgi;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A client that sends the upgrade and hangs up while its consumer is still in {@code connect} (chat loads its
 * history first) must leave nothing behind: not its per-IP slot, not its channel, not its group membership, not
 * the consumer's state. The test consumer here joins a group, then holds its answer until the client is gone and
 * the gateway has seen it go.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
@DisplayName("A handshake abandoned by its client while the consumer is connecting releases everything it took")
class AbortedHandshakeTest {

  private static final String GROUP = "aborted";
  private static final String INSTANCE = "test.slow.instance";
  private static final int MAX_PER_IP = 2;
  private static final int ATTEMPTS = MAX_PER_IP + 1;

  private GatewayVerticle gateway;
  private EventBusChannelLayer layer;
  // a field: Vert.x closes an unreachable client (a Cleaner), and with it the sockets and requests using it
  private NetClient net;
  /** The consumer's pending connect answers, completed by the test once the client has gone. */
  private final List<Promise<Void>> held = new ArrayList<>();
  private final Map<String, Promise<Integer>> disconnects = new ConcurrentHashMap<>();
  private Promise<String> connectSeen;

  @BeforeEach
  void deploy(Vertx vertx, VertxTestContext testContext) {
    JsonObject config = SwitchboardConfig.fromJson(new JsonObject()
        .put("http", new JsonObject().put("port", 0).put("instances", 1).put("host", "127.0.0.1"))
        .put("limits", new JsonObject().put("maxConnectionsPerIp", MAX_PER_IP))
        .put("roles", new JsonArray().add("gateway"))).toJson();
    DeploymentOptions options = new DeploymentOptions().setConfig(config);
    gateway = GatewayVerticle.standalone();
    layer = new EventBusChannelLayer(vertx, 5000);
    net = vertx.createNetClient();
    vertx.eventBus().<JsonObject>consumer(INSTANCE, this::onInstanceEvent);
    vertx.deployVerticle(ChannelLayerVerticle.standalone(), options)
        .compose(v -> vertx.eventBus().<JsonObject>consumer(Addresses.consumer("slow"), this::onConnect).completion())
        .compose(v -> new RouteAnnouncer(vertx, "test").announce(List.of(Route.websocket("/ws/slow", "slow"))))
        .compose(v -> vertx.deployVerticle(gateway, options))
        .onComplete(testContext.succeedingThenComplete());
  }

  /** Joins the group first, as chat does, then answers accept (or close, for {@code ?reject}) when released. */
  private void onConnect(Message<JsonObject> message) {
    String channel = message.body().getString(Asgi.CHANNEL);
    String query = message.body().getString("query", "");
    disconnects.put(channel, Promise.promise());
    Promise<Void> release = Promise.promise();
    if (query.contains("fast")) {
      release.complete();
    } else {
      held.add(release);
    }
    layer.groupAdd(GROUP, channel, new JsonObject())
        .onSuccess(v -> connectSeen.tryComplete(channel))
        .compose(v -> release.future())
        .onSuccess(v -> message.reply(query.contains("reject")
            ? Asgi.close(4403, "rejected")
            : new JsonObject().put(Asgi.TYPE, Asgi.ACCEPT).put(Asgi.INSTANCE, INSTANCE).put(Asgi.NODE, "test")));
  }

  private void onInstanceEvent(Message<JsonObject> message) {
    if (Asgi.DISCONNECT.equals(Asgi.type(message.body()))) {
      disconnects.get(message.body().getString(Asgi.CHANNEL)).tryComplete(message.body().getInteger(Asgi.CODE));
    }
  }

  @Test
  @DisplayName("after more aborted handshakes than the per-IP cap, the consumer heard each disconnect, the group is "
      + "empty, no channel stays open, and the same IP connects again")
  void abortedAfterAccept(Vertx vertx, VertxTestContext testContext) {
    Future<List<String>> aborted = abortInTurn(vertx, "", ATTEMPTS);
    aborted
        .compose(channels -> Future.all(channels.stream().map(c -> disconnects.get(c).future()).toList()).map(channels))
        .compose(channels -> layer.members(GROUP).map(members -> {
          testContext.verify(() -> {
            assertEquals(List.of(), members, "ghost members after aborted handshakes");
            channels.forEach(channel -> assertNull(LocalChannels.of(vertx).find(channel), "channel still open: " + channel));
            assertEquals(0, gateway.services().openConnections("127.0.0.1"), "per-IP slots still taken");
          });
          return channels;
        }))
        .compose(channels -> fastConnection(vertx))
        .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  @DisplayName("a consumer's refusal answered after the client left frees the slot and the channel")
  void abortedBeforeRefusal(Vertx vertx, VertxTestContext testContext) {
    abortInTurn(vertx, "?reject", ATTEMPTS)
        .compose(channels -> fastConnection(vertx).map(channels))
        .onComplete(testContext.succeeding(channels -> testContext.verify(() -> {
          channels.forEach(channel -> assertNull(LocalChannels.of(vertx).find(channel), "channel still open: " + channel));
          testContext.completeNow();
        })));
  }

  /** {@code count} handshakes, one after another, each dropped by its client while the consumer holds its answer. */
  private Future<List<String>> abortInTurn(Vertx vertx, String query, int count) {
    List<String> channels = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < count; i++) {
      chain = chain.compose(v -> abortOne(vertx, query)).compose(channel -> {
        channels.add(channel);
        return held.remove(0).future().map((Void) null);
      });
    }
    return chain.map(channels);
  }

  /**
   * Sends the upgrade over a raw socket, waits until the consumer is in connect, hangs up, and once the gateway
   * has served a later request on its only event loop (so it has read the hang-up) lets the consumer answer.
   */
  private Future<String> abortOne(Vertx vertx, String query) {
    connectSeen = Promise.promise();
    int port = gateway.actualPort();
    return net.connect(port, "127.0.0.1").compose(socket -> {
      // a leaked per-IP slot shows as a refusal here, before any consumer hears the connect
      socket.handler(answer -> connectSeen.tryFail("refused before the consumer heard the connect: "
          + answer.toString().lines().findFirst().orElse("")));
      socket.write("GET /ws/slow" + query + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
          + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
      return connectSeen.future().compose(channel -> hangUp(socket).map(channel));
    }).compose(channel -> ping(vertx, port).map(channel)).onSuccess(channel -> held.get(0).complete());
  }

  private static Future<Void> hangUp(NetSocket socket) {
    Promise<Void> closed = Promise.promise();
    socket.closeHandler(v -> closed.tryComplete());
    socket.close();
    return closed.future();
  }

  /** A WebSocket the consumer accepts at once, opened and closed: the gateway still serves after the aborts. */
  private Future<Void> fastConnection(Vertx vertx) {
    // closed explicitly: that keeps it reachable (Vert.x closes a client the GC finds unreferenced)
    WebSocketClient client = vertx.createWebSocketClient();
    return client.connect(gateway.actualPort(), "127.0.0.1", "/ws/slow?fast").compose(WebSocket::close)
        .eventually(client::close);
  }

  private static Future<Buffer> ping(Vertx vertx, int port) {
    var client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false));
    return client.request(HttpMethod.GET, port, "127.0.0.1", "/api/ping")
        .compose(request -> request.send().compose(response -> response.body()))
        .eventually(client::close);
  }
}

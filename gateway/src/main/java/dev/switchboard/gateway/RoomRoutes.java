package dev.switchboard.gateway;

import dev.switchboard.consumers.ChatConsumer;
import dev.switchboard.consumers.chat.ChatHistory;
import dev.switchboard.consumers.chat.ChatMessage;
import dev.switchboard.consumers.data.Database;
import dev.switchboard.shared.config.SwitchboardConfig;
import dev.switchboard.api.channels.ChannelLayer;
import dev.switchboard.shared.channels.EventBusChannelLayer;
import dev.switchboard.api.protocol.Asgi;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;
import java.util.Set;

/**
 * The chat history API, Django's async views on the reactive pool:
 * {@code GET /api/rooms/{room}/messages?before=&limit=} → 200 {@code {"room","messages":[...],"next"}} (oldest
 * first, {@code limit} 1–200, default 50; {@code next} is the {@code before} of the previous page, null at the
 * start); {@code POST /api/rooms/{room}/messages} with {@code {"message","user"?}} → 201 with the stored message,
 * which is then broadcast to the room's chat members through the channel layer. A 201 means the message is committed. Bad parameters or body 400, PostgreSQL
 * unavailable or not configured 503, each through {@link ApiErrors}.
 */
final class RoomRoutes {

  static final int DEFAULT_LIMIT = 50;
  static final String ANONYMOUS = "anonymous";
  private static final Set<String> BODY_KEYS = Set.of("message", "user");

  private final ChannelLayer channelLayer;
  private final ChatHistory history;

  private RoomRoutes(ChannelLayer channelLayer, ChatHistory history) {
    this.channelLayer = channelLayer;
    this.history = history;
  }

  static void mount(Vertx vertx, Router router, SwitchboardConfig config) {
    ChatHistory history = config.pgUrl().isEmpty()
        ? null : new ChatHistory(Database.pool(vertx, config), config.channels().chatMaxMessageBytes());
    RoomRoutes routes = new RoomRoutes(new EventBusChannelLayer(vertx, config.channels().requestTimeoutMs()), history);
    router.route("/api/rooms/*").handler(BodyHandler.create(false).setBodyLimit(config.http().maxBodySize()));
    router.route("/api/rooms/*").handler(routes::requireDatabase);
    router.get("/api/rooms/:room/messages").handler(routes::list);
    router.post("/api/rooms/:room/messages").handler(routes::post);
  }

  private void requireDatabase(RoutingContext rc) {
    if (history == null) {
      rc.fail(503, new IllegalStateException("chat history is unavailable: no PostgreSQL configured (pg.url)"));
    } else {
      rc.next();
    }
  }

  private void list(RoutingContext rc) {
    String room = rc.pathParam("room");
    Long before;
    int limit;
    try {
      before = longParam(rc, "before", null);
      limit = Math.toIntExact(longParam(rc, "limit", (long) DEFAULT_LIMIT));
    } catch (IllegalArgumentException | ArithmeticException e) {
      rc.fail(400, e);
      return;
    }
    history.page(room, before, limit)
        .onSuccess(page -> {
          JsonArray messages = new JsonArray(page.messages().stream().map(ChatMessage::toJson).toList());
          json(rc, 200, new JsonObject().put("room", room).put("messages", messages).put("next", page.next()));
        })
        .onFailure(err -> fail(rc, err));
  }

  private void post(RoutingContext rc) {
    String room = rc.pathParam("room");
    JsonObject body;
    try {
      body = rc.body().asJsonObject();
      if (body == null) {
        throw new IllegalArgumentException("expected {\"message\": \"...\"}");
      }
      for (String key : body.fieldNames()) {
        if (!BODY_KEYS.contains(key)) {
          throw new IllegalArgumentException("unknown field \"" + key + "\", expected " + BODY_KEYS);
        }
      }
      if (!(body.getValue("message") instanceof String)
          || body.containsKey("user") && !(body.getValue("user") instanceof String)) {
        throw new IllegalArgumentException("expected {\"message\": \"...\", \"user\": \"...\"} with string values");
      }
    } catch (RuntimeException e) {
      rc.fail(400, new IllegalArgumentException("malformed request body: " + e.getMessage(), e));
      return;
    }
    history.append(room, body.getString("user", ANONYMOUS), body.getString("message"))
        .onSuccess(stored -> {
          JsonObject json = stored.toJson();
          json(rc, 201, json);
          broadcast(room, json);
        })
        .onFailure(err -> fail(rc, err));
  }

  /**
   * Hands a stored message to the room's members, as the chat consumer does: Django's
   * {@code async_to_sync(channel_layer.group_send)} from a view. At most once, like any group send; the message is
   * stored whatever happens here.
   */
  private void broadcast(String room, JsonObject message) {
    channelLayer.groupSend(ChatConsumer.group(room), Asgi.sendText(message.encode()));
  }

  private static void fail(RoutingContext rc, Throwable err) {
    if (err instanceof IllegalArgumentException) {
      rc.fail(400, err);
    } else if (Database.isUnavailable(err)) {
      rc.fail(503, new IllegalStateException("chat history is unavailable: PostgreSQL did not answer (" + err.getMessage() + ")", err));
    } else {
      rc.fail(500, err);
    }
  }

  private static Long longParam(RoutingContext rc, String name, Long fallback) {
    List<String> values = rc.queryParam(name);
    if (values.isEmpty() || values.get(0).isEmpty()) {
      return fallback;
    }
    if (values.size() > 1) {
      throw new IllegalArgumentException(name + ": expected one value, got " + values.size());
    }
    try {
      return Long.parseLong(values.get(0));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + ": expected an integer, got \"" + values.get(0) + "\"");
    }
  }

  private static void json(RoutingContext rc, int status, JsonObject body) {
    rc.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.encode());
  }
}

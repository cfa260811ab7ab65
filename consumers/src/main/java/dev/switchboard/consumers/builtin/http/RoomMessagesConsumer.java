package dev.switchboard.consumers.builtin.http;

import dev.switchboard.api.http.HttpConsumer;
import dev.switchboard.api.http.HttpRequest;
import dev.switchboard.api.data.DatabaseErrors;
import dev.switchboard.api.protocol.Asgi;
import dev.switchboard.consumers.builtin.ChatConsumer;
import dev.switchboard.consumers.builtin.chat.ChatHistory;
import dev.switchboard.consumers.builtin.chat.ChatMessage;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;

/**
 * The chat history API, an HTTP consumer of the chat app (served by consumers nodes, relayed by any gateway):
 * {@code GET /api/rooms/{room}/messages?before=&limit=} → 200 {@code {"room","messages":[...],"next"}} (oldest first,
 * {@code limit} 1–200, default 50; {@code next} is the {@code before} of the previous page, null at the start);
 * {@code POST /api/rooms/{room}/messages} with {@code {"message"}} → 201 with the stored message, then broadcast to
 * the room's members through the channel layer. A 201 means the message is committed.
 *
 * <p>The author is the authenticated user: the subject of the token the gateway verified. Without one (the path is
 * not protected and no token was sent) the author is {@value #ANONYMOUS}. A body {@code "user"} may only repeat the
 * author; one that claims anybody else is refused with 403. Bad parameters or body 400, another method 405,
 * PostgreSQL unavailable or not configured 503.
 */
public final class RoomMessagesConsumer extends HttpConsumer {

  public static final String NAME = "rooms-api";
  public static final String PATTERN = "/api/rooms/:room/messages";
  public static final String ANONYMOUS = "anonymous";
  static final int DEFAULT_LIMIT = 50;
  private static final Set<String> BODY_KEYS = Set.of("message", "user");

  @Override
  protected Future<Void> handle(HttpRequest request) {
    ChatHistory history = RoomHistory.of(environment());
    if (history == null) {
      return sendError(503, "chat history is unavailable: no PostgreSQL configured (pg.url)");
    }
    return switch (request.method()) {
      case "GET" -> list(history, request);
      case "POST" -> post(history, request);
      default -> sendError(405, "method not allowed: GET or POST");
    };
  }

  private Future<Void> list(ChatHistory history, HttpRequest request) {
    String room = request.param("room");
    Long before;
    int limit;
    try {
      before = longParam(request, "before", null);
      limit = Math.toIntExact(longParam(request, "limit", (long) DEFAULT_LIMIT));
    } catch (IllegalArgumentException | ArithmeticException e) {
      return sendError(400, e.getMessage());
    }
    return history.page(room, before, limit)
        .compose(page -> sendJson(200, new JsonObject().put("room", room)
            .put("messages", new JsonArray(page.messages().stream().map(ChatMessage::toJson).toList()))
            .put("next", page.next())))
        .recover(this::failure);
  }

  private Future<Void> post(ChatHistory history, HttpRequest request) {
    String room = request.param("room");
    String author = request.user() == null || request.user().isBlank() ? ANONYMOUS : request.user();
    JsonObject body;
    try {
      body = request.bodyAsJson();
      for (String key : body.fieldNames()) {
        if (!BODY_KEYS.contains(key)) {
          throw new IllegalArgumentException("unknown field \"" + key + "\", expected " + BODY_KEYS);
        }
      }
      if (!(body.getValue("message") instanceof String) || body.containsKey("user") && !(body.getValue("user") instanceof String)) {
        throw new IllegalArgumentException("expected {\"message\": \"...\"} with a string message");
      }
    } catch (IllegalArgumentException e) {
      return sendError(400, "malformed request body: " + e.getMessage());
    }
    String claimed = body.getString("user");
    if (claimed != null && !claimed.equals(author)) {
      return sendError(403, "the author is the authenticated user (" + author + "), not \"" + claimed
          + "\": send a token whose subject is the author, and no \"user\" field");
    }
    return history.append(room, author, body.getString("message"))
        .compose(stored -> {
          JsonObject json = stored.toJson();
          // Django's async_to_sync(channel_layer.group_send) from a view: at most once, the message is stored anyway
          channelLayer().groupSend(ChatConsumer.group(room), Asgi.sendText(json.encode()));
          return sendJson(201, json);
        })
        .recover(this::failure);
  }

  private Future<Void> failure(Throwable err) {
    if (err instanceof IllegalArgumentException) {
      return sendError(400, err.getMessage());
    }
    if (DatabaseErrors.isUnavailable(err)) {
      return sendError(503, "chat history is unavailable: PostgreSQL did not answer (" + err.getMessage() + ")");
    }
    return Future.failedFuture(err);
  }

  private static Long longParam(HttpRequest request, String name, Long fallback) {
    List<String> values = request.queryParams(name);
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
}

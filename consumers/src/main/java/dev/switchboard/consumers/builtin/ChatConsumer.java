package dev.switchboard.consumers.builtin;

import dev.switchboard.api.channels.GroupNames;
import dev.switchboard.api.consumers.JsonWebsocketConsumer;
import dev.switchboard.consumers.builtin.chat.ChatHistory;
import dev.switchboard.consumers.builtin.chat.ChatMessage;
import dev.switchboard.api.protocol.Asgi;
import dev.switchboard.api.protocol.CloseCodes;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /ws/chat/{room}}: takes {@code {"message": "..."}} and broadcasts
 * {@code {"room", "user", "message", "ts"}} to everyone in the room, the sender included. The broadcast is
 * one group send: each gateway node writes it to its own members' sockets, so each member gets each
 * message once, and one sender's messages arrive in the order sent. Malformed JSON, a missing or
 * non-string {@code message}, or a message longer than {@code channels.chatMaxMessageBytes} (UTF-8) gets an
 * error frame {@code {"error": "..."}} and the socket stays open. The room's presence metadata is the user.
 *
 * <p>History (when PostgreSQL is configured): each message is stored before it is broadcast, and the broadcast
 * carries its {@code id}. A member joining first receives the room's last {@value #HISTORY} messages, oldest first,
 * each marked {@code "history": true}, then live ones: the history is sent before the member joins the group, so it
 * can never come after a live message (a message committed in the few milliseconds between the two may reach
 * neither; it is in the history of the next join). PostgreSQL down does not stop live chat: the join comes without
 * history, and a message that cannot be stored is broadcast anyway, without an {@code id}, and its sender gets
 * {@code {"warning": "..."}}.
 */
public final class ChatConsumer extends JsonWebsocketConsumer {

  public static final String NAME = "chat";
  static final String ANONYMOUS = "anonymous";
  /** How many messages a member gets on joining. */
  public static final int HISTORY = 50;
  private static final String HISTORY_KEY = "switchboard.chat-history";
  /** The built-in app's setting that bounds a chat message (UTF-8 bytes). */
  public static final String MAX_MESSAGE_BYTES_SETTING = "chatMaxMessageBytes";
  static final int DEFAULT_MAX_MESSAGE_BYTES = 4096;
  private static final Logger log = LoggerFactory.getLogger(ChatConsumer.class);

  private String room;
  private String group;
  private String user;
  private ChatHistory history;

  /** The channel-layer group of a room: its members are the sockets on {@code /ws/chat/{room}}. */
  public static String group(String room) {
    return "chat." + room;
  }

  @Override
  protected Future<Void> connect() {
    room = param("room");
    group = group(room);
    if (!GroupNames.valid(group)) {
      close(CloseCodes.POLICY_VIOLATION, "invalid room name");
      return Future.succeededFuture();
    }
    user = userName(scope().getValue("user"));
    history = history();
    on("chat.message", this::chatMessage);
    return sendHistory()
        .compose(v -> channelLayer().groupAdd(group, channelName(), new JsonObject().put("user", user)))
        .onSuccess(v -> accept());
  }

  @Override
  protected Future<Void> receiveJson(JsonObject content) {
    Object message = content.getValue("message");
    if (!(message instanceof String text)) {
      sendError("expected {\"message\": \"...\"} with a string message");
      return Future.succeededFuture();
    }
    int limit = maxMessageBytes();
    int bytes = text.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > limit) {
      sendError("message too long: " + bytes + " bytes, the limit is " + limit);
      return Future.succeededFuture();
    }
    // Waiting for the store and the report keeps this sender's messages in order and its backlog bounded.
    return store(text).compose(broadcast -> channelLayer().groupSend(group, Asgi.sendText(broadcast.encode()))).mapEmpty();
  }

  /**
   * A {@code chat.message} event sent to the room's group by someone else than a chat socket (a Django view through
   * the channels_redis bridge, a task): {@code {"type": "chat.message", "user", "message"}} reaches this member as
   * the usual frame. The room's own broadcasts are frames already and never come here.
   */
  private Future<Void> chatMessage(JsonObject event) {
    JsonObject frame = new JsonObject().put("room", room).put("user", event.getValue("user", ANONYMOUS))
        .put("message", event.getValue("message")).put("ts", event.getLong("ts", System.currentTimeMillis()));
    send(frame.encode());
    return Future.succeededFuture();
  }

  /** The stored message as broadcast; if it cannot be stored, the live message without an id. */
  private Future<JsonObject> store(String text) {
    JsonObject live = new JsonObject().put("room", room).put("user", user).put("message", text)
        .put("ts", System.currentTimeMillis());
    if (history == null) {
      return Future.succeededFuture(live);
    }
    return history.append(room, user, text).map(ChatMessage::toJson).recover(err -> {
      log.warn("chat message in room {} not stored: {}", room, err.getMessage());
      sendJson(new JsonObject().put("warning", "message not stored: " + err.getMessage()));
      return Future.succeededFuture(live);
    });
  }

  /** The last messages, before joining the group; sent while the handshake completes (the gateway holds them). */
  private Future<Void> sendHistory() {
    if (history == null) {
      return Future.succeededFuture();
    }
    return history.last(room, HISTORY)
        .onSuccess(messages -> messages.forEach(message -> send(message.toJson().put("history", true).encode())))
        .otherwise(err -> {
          log.warn("no history for a member joining room {}: {}", room, err.getMessage());
          return List.of();
        })
        .mapEmpty();
  }

  /**
   * This consumer instance's history repository, one per ConsumerVerticle context (so its pool handle closes with
   * that verticle), or null when no PostgreSQL is configured.
   */
  private ChatHistory history() {
    if (environment().pool().isEmpty()) {
      return null;
    }
    Context context = vertx().getOrCreateContext();
    ChatHistory existing = context.get(HISTORY_KEY);
    if (existing == null) {
      existing = new ChatHistory(environment().pool().get(), maxMessageBytes());
      context.put(HISTORY_KEY, existing);
    }
    return existing;
  }

  /** The app setting {@value #MAX_MESSAGE_BYTES_SETTING}, which the node fills from {@code channels.chatMaxMessageBytes}. */
  private int maxMessageBytes() {
    return settings().getInteger(MAX_MESSAGE_BYTES_SETTING, DEFAULT_MAX_MESSAGE_BYTES);
  }

  private static String userName(Object user) {
    if (user instanceof JsonObject json) {
      return json.getString("username", json.getString("name", ANONYMOUS));
    }
    return user == null || user.toString().isBlank() ? ANONYMOUS : user.toString();
  }
}

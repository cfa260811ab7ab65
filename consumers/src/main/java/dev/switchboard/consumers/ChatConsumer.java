package dev.switchboard.consumers;

import dev.switchboard.shared.channels.ChannelNames;
import dev.switchboard.shared.protocol.Asgi;
import dev.switchboard.shared.protocol.CloseCodes;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;

/**
 * {@code /ws/chat/{room}}: takes {@code {"message": "..."}} and broadcasts
 * {@code {"room", "user", "message", "ts"}} to everyone in the room, the sender included. The broadcast is
 * one group send: each gateway node writes it to its own members' sockets, so each member gets each
 * message once, and one sender's messages arrive in the order sent. Malformed JSON, a missing or
 * non-string {@code message}, or a message longer than {@code channels.chatMaxMessageBytes} (UTF-8) gets an
 * error frame {@code {"error": "..."}} and the socket stays open. The room's presence metadata is the user.
 */
public final class ChatConsumer extends JsonWebsocketConsumer {

  public static final String NAME = "chat";
  static final String ANONYMOUS = "anonymous";

  private String room;
  private String group;
  private String user;

  @Override
  protected Future<Void> connect() {
    room = param("room");
    group = "chat." + room;
    if (!ChannelNames.validGroup(group)) {
      close(CloseCodes.POLICY_VIOLATION, "invalid room name");
      return Future.succeededFuture();
    }
    user = userName(scope().getValue("user"));
    return channelLayer().groupAdd(group, channelName(), new JsonObject().put("user", user))
        .onSuccess(v -> accept());
  }

  @Override
  protected Future<Void> receiveJson(JsonObject content) {
    Object message = content.getValue("message");
    if (!(message instanceof String text)) {
      sendError("expected {\"message\": \"...\"} with a string message");
      return Future.succeededFuture();
    }
    int limit = config().channels().chatMaxMessageBytes();
    int bytes = text.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > limit) {
      sendError("message too long: " + bytes + " bytes, the limit is " + limit);
      return Future.succeededFuture();
    }
    JsonObject broadcast = new JsonObject().put("room", room).put("user", user).put("message", text)
        .put("ts", System.currentTimeMillis());
    // Waiting for the report keeps this sender's messages in order and its backlog bounded.
    return channelLayer().groupSend(group, Asgi.sendText(broadcast.encode())).mapEmpty();
  }

  private static String userName(Object user) {
    if (user instanceof JsonObject json) {
      return json.getString("username", json.getString("name", ANONYMOUS));
    }
    return user == null || user.toString().isBlank() ? ANONYMOUS : user.toString();
  }
}

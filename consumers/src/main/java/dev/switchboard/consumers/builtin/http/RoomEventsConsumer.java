package dev.switchboard.consumers.builtin.http;

import dev.switchboard.api.channels.GroupNames;
import dev.switchboard.api.http.HttpConsumer;
import dev.switchboard.api.http.HttpRequest;
import dev.switchboard.api.protocol.Asgi;
import dev.switchboard.consumers.builtin.ChatConsumer;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * {@code GET /api/rooms/{room}/events}: the room's live messages as server-sent events, for clients that cannot
 * open a WebSocket ({@code curl -N}). The response stays open; the exchange joins the room's group, and every
 * message broadcast to the room (from a WebSocket member or {@code POST /api/rooms/{room}/messages}, on any node)
 * arrives as one event, {@code data: {"room","user","message","ts",...}}. The stream starts with a
 * {@code : joined} comment line once the exchange is in the group.
 */
public final class RoomEventsConsumer extends HttpConsumer {

  public static final String NAME = "rooms-events";
  public static final String PATTERN = "/api/rooms/:room/events";

  public RoomEventsConsumer() {
    // chat broadcasts are websocket.send events carrying the message's JSON as text
    on(Asgi.SEND, this::forward);
  }

  @Override
  protected Future<Void> handle(HttpRequest request) {
    if (!"GET".equals(request.method())) {
      return sendError(405, "method not allowed: GET");
    }
    String group = ChatConsumer.group(request.param("room"));
    if (!GroupNames.valid(group)) {
      return sendError(400, "invalid room name");
    }
    return sendHeaders(200, Map.of("content-type", "text/event-stream", "cache-control", "no-cache"))
        .compose(v -> channelLayer().groupAdd(group, channelName(), new JsonObject().put("sse", true)))
        .compose(v -> sendBody(": joined\n\n", true));
  }

  private Future<Void> forward(JsonObject message) {
    String text = message.getString(Asgi.TEXT);
    if (text == null) {
      return Future.succeededFuture();
    }
    // one data line per line of the text, as the event-stream format requires
    return sendBody("data: " + text.replace("\n", "\ndata: ") + "\n\n", true);
  }
}

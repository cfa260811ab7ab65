package dev.switchboard.api.consumers;

import io.vertx.core.Future;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * Channels' {@code AsyncJsonWebsocketConsumer}: text frames arrive decoded as JSON objects and
 * {@link #sendJson} encodes. A frame that is not a JSON object gets an error frame
 * {@code {"error": "..."}} and the socket stays open.
 */
public abstract class JsonWebsocketConsumer extends WebsocketConsumer {

  protected abstract Future<Void> receiveJson(JsonObject content);

  @Override
  protected final Future<Void> receive(String text) {
    JsonObject content;
    try {
      content = new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      sendError("malformed JSON: expected an object");
      return Future.succeededFuture();
    }
    return receiveJson(content);
  }

  protected final void sendJson(JsonObject content) {
    send(content.encode());
  }

  protected final void sendError(String message) {
    sendJson(new JsonObject().put("error", message));
  }
}

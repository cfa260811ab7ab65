package dev.switchboard.api.protocol;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;

/**
 * The ASGI-style WebSocket events exchanged over the event bus, with the names Channels uses.
 *
 * <p>gateway → consumer: {@code websocket.connect}, {@code websocket.receive}, {@code websocket.disconnect}.
 * consumer → connection channel: {@code websocket.accept}, {@code websocket.send}, {@code websocket.close}.
 * Every body is a {@link JsonObject} with a {@code type}; binary payloads travel as JSON base64.
 */
public final class Asgi {

  public static final String CONNECT = "websocket.connect";
  public static final String ACCEPT = "websocket.accept";
  public static final String RECEIVE = "websocket.receive";
  public static final String SEND = "websocket.send";
  public static final String CLOSE = "websocket.close";
  public static final String DISCONNECT = "websocket.disconnect";

  public static final String TYPE = "type";
  public static final String CHANNEL = "channel";
  public static final String TEXT = "text";
  public static final String BYTES = "bytes";
  public static final String CODE = "code";
  public static final String REASON = "reason";

  /** Reply fields of an accepted connect: where the rest of the connection goes, and what it takes. */
  public static final String INSTANCE = "instance";
  public static final String NODE = "node";
  public static final String BINARY = "binary";
  public static final String SUBPROTOCOL = "subprotocol";

  private Asgi() {
  }

  public static String type(JsonObject event) {
    return event.getString(TYPE, "");
  }

  /**
   * An empty event sized for {@code fields} fields: a JSON object's default map has room for 12, and the events here
   * (built and decoded for every message) have two to five.
   */
  private static JsonObject sized(int fields) {
    return new JsonObject(new LinkedHashMap<>((fields * 4 + 2) / 3));
  }

  public static JsonObject receiveText(String channel, String text) {
    return sized(3).put(TYPE, RECEIVE).put(CHANNEL, channel).put(TEXT, text);
  }

  public static JsonObject receiveBytes(String channel, Buffer bytes) {
    return sized(3).put(TYPE, RECEIVE).put(CHANNEL, channel).put(BYTES, bytes);
  }

  public static JsonObject disconnect(String channel, int code) {
    return sized(3).put(TYPE, DISCONNECT).put(CHANNEL, channel).put(CODE, code);
  }

  public static JsonObject sendText(String text) {
    return sized(2).put(TYPE, SEND).put(TEXT, text);
  }

  public static JsonObject sendBytes(Buffer bytes) {
    return sized(2).put(TYPE, SEND).put(BYTES, bytes);
  }

  public static JsonObject close(int code, String reason) {
    return sized(3).put(TYPE, CLOSE).put(CODE, code).put(REASON, reason == null ? "" : reason);
  }
}

package dev.switchboard.api.consumers;

import dev.switchboard.api.AppEnvironment;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.function.Function;

/**
 * The runtime's side of a {@link WebsocketConsumer}: binds an instance to its connection and calls its hooks.
 * Switchboard's consumer runtime (or a test kit) uses it; an app never needs to. Not thread-safe: use it from the
 * event loop that serves the connection, one call at a time, waiting for each returned Future.
 */
public final class ConsumerDriver {

  private final WebsocketConsumer consumer;

  private ConsumerDriver(WebsocketConsumer consumer) {
    this.consumer = consumer;
  }

  /** Binds {@code consumer} to the connection that {@code connectEvent} ({@code websocket.connect}) opens. */
  public static ConsumerDriver bind(WebsocketConsumer consumer, AppEnvironment environment, JsonObject connectEvent) {
    consumer.bind(environment, connectEvent);
    return new ConsumerDriver(consumer);
  }

  public Future<Void> connect() {
    return consumer.connect();
  }

  public Future<Void> receive(String text) {
    return consumer.receive(text);
  }

  public Future<Void> receiveBytes(Buffer bytes) {
    return consumer.receiveBytes(bytes);
  }

  public Future<Void> disconnect(int code) {
    return consumer.disconnect(code);
  }

  /** True when the consumer registered a handler ({@code on(type, ...)}) for this channel-layer message's type. */
  public boolean handles(JsonObject message) {
    return consumer.handler(message) != null;
  }

  /** Hands a channel-layer message to its handler; a message without one completes at once. */
  public Future<Void> handle(JsonObject message) {
    Function<JsonObject, Future<Void>> handler = consumer.handler(message);
    return handler == null ? Future.succeededFuture() : handler.apply(message);
  }

  /** After {@link #connect()}: true when the consumer accepted the socket and did not refuse it. */
  public boolean accepted() {
    return consumer.accepted();
  }

  public String subprotocol() {
    return consumer.subprotocol();
  }

  public boolean acceptsBinary() {
    return consumer.acceptsBinary();
  }

  /** Closes the socket (or, during connect, refuses it), as the consumer's own {@code close} would. */
  public void close(int code, String reason) {
    consumer.close(code, reason);
  }

  public String channelName() {
    return consumer.channelName();
  }
}

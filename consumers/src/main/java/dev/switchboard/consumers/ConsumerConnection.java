package dev.switchboard.consumers;

import dev.switchboard.api.consumers.ConsumerDriver;
import dev.switchboard.api.protocol.Asgi;
import dev.switchboard.api.protocol.CloseCodes;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands one connection's events to its consumer strictly one after another: the next hook starts when the
 * previous one's Future completes. The backlog is bounded; a consumer that falls {@link #MAX_BACKLOG}
 * events behind has its socket closed with 1013 instead of queueing without limit.
 */
final class ConsumerConnection {

  static final int MAX_BACKLOG = 1024;
  private static final Logger log = LoggerFactory.getLogger(ConsumerConnection.class);

  private final String consumerName;
  private final ConsumerDriver consumer;
  private Future<Void> tail = Future.succeededFuture();
  private int backlog;
  private boolean ended;
  private boolean overloaded;

  ConsumerConnection(String consumerName, ConsumerDriver consumer) {
    this.consumerName = consumerName;
    this.consumer = consumer;
  }

  void dispatch(JsonObject event) {
    if (ended) {
      return;
    }
    if (Asgi.DISCONNECT.equals(Asgi.type(event))) {
      ended = true;
    } else if (overloaded) {
      return; // the socket is being closed with 1013; drop what arrives meanwhile
    } else if (backlog >= MAX_BACKLOG) {
      overloaded = true;
      log.warn("consumer {} is {} events behind on {}: closing with 1013", consumerName, backlog, consumer.channelName());
      consumer.close(CloseCodes.TRY_AGAIN_LATER, "consumer overloaded");
      return;
    }
    backlog++;
    tail = tail.transform(previous -> invoke(event)).andThen(done -> backlog--);
  }

  /** The instance is going away: tell the client to reconnect elsewhere and let the consumer clean up. */
  void shutdown(int code) {
    if (!ended) {
      ended = true;
      consumer.close(code, "consumer instance stopped");
      tail = tail.transform(previous -> safely(() -> consumer.disconnect(code)));
    }
  }

  private Future<Void> invoke(JsonObject event) {
    return switch (Asgi.type(event)) {
      case Asgi.RECEIVE -> event.containsKey(Asgi.TEXT)
          ? safely(() -> consumer.receive(event.getString(Asgi.TEXT)))
          : safely(() -> consumer.receiveBytes(event.getBuffer(Asgi.BYTES)));
      case Asgi.DISCONNECT -> safely(() -> consumer.disconnect(event.getInteger(Asgi.CODE, (int) CloseCodes.NORMAL)));
      default -> {
        if (!consumer.handles(event)) {
          log.warn("no handler for message type '{}' on channel {}", Asgi.type(event), consumer.channelName());
        }
        yield safely(() -> consumer.handle(event));
      }
    };
  }

  private Future<Void> safely(java.util.function.Supplier<Future<Void>> hook) {
    Future<Void> result;
    try {
      result = hook.get();
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    return result.recover(err -> {
      log.error("consumer {} failed on channel {}", consumerName, consumer.channelName(), err);
      return Future.succeededFuture();
    });
  }
}

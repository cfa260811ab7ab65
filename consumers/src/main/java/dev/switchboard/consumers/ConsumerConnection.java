package dev.switchboard.consumers;

import dev.switchboard.api.consumers.ConsumerDriver;
import dev.switchboard.api.protocol.Asgi;
import dev.switchboard.api.protocol.CloseCodes;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.Queue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands one connection's events to its consumer strictly one after another: the next hook starts when the
 * previous one's Future completes. The backlog is bounded; a consumer that falls {@link #MAX_BACKLOG}
 * events behind has its socket closed with 1013 instead of queueing without limit.
 *
 * <p>Events wait in a queue, not in a chain of Futures: most hooks complete at once, and then nothing is built per
 * event; and a long backlog drains in a loop, where a chain of a thousand completed Futures overflowed the stack.
 */
final class ConsumerConnection {

  static final int MAX_BACKLOG = 1024;
  private static final Logger log = LoggerFactory.getLogger(ConsumerConnection.class);

  private final String consumerName;
  private final ConsumerDriver consumer;
  /** The events that arrived while a hook was running; created on the first one. */
  private Queue<JsonObject> waiting;
  private boolean running;
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
    } else if (backlog() >= MAX_BACKLOG) {
      overloaded = true;
      log.warn("consumer {} is {} events behind on {}: closing with 1013", consumerName, backlog(), consumer.channelName());
      consumer.close(CloseCodes.TRY_AGAIN_LATER, "consumer overloaded");
      return;
    }
    enqueue(event);
  }

  /** The instance is going away: tell the client to reconnect elsewhere and let the consumer clean up. */
  void shutdown(int code) {
    if (!ended) {
      ended = true;
      consumer.close(code, "consumer instance stopped");
      enqueue(new JsonObject().put(Asgi.TYPE, Asgi.DISCONNECT).put(Asgi.CODE, code));
    }
  }

  private int backlog() {
    return (running ? 1 : 0) + (waiting == null ? 0 : waiting.size());
  }

  private void enqueue(JsonObject event) {
    if (running) {
      if (waiting == null) {
        waiting = new ArrayDeque<>();
      }
      waiting.add(event);
    } else {
      runFrom(event);
    }
  }

  /** Runs {@code event}'s hook, then the waiting events' in turn, until one is still running when it returns. */
  private void runFrom(JsonObject event) {
    for (JsonObject next = event; next != null; next = waiting == null ? null : waiting.poll()) {
      Future<Void> hook = invoke(next);
      if (!hook.isComplete()) {
        running = true;
        hook.onComplete(done -> {
          running = false;
          JsonObject following = waiting == null ? null : waiting.poll();
          if (following != null) {
            runFrom(following);
          }
        });
        return;
      }
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
    if (result.succeeded()) {
      return result;
    }
    if (result.failed()) {
      logFailure(result.cause());
      return Future.succeededFuture();
    }
    return result.recover(err -> {
      logFailure(err);
      return Future.succeededFuture();
    });
  }

  private void logFailure(Throwable err) {
    log.error("consumer {} failed on channel {}", consumerName, consumer.channelName(), err);
  }
}

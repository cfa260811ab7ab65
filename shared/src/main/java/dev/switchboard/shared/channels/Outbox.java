package dev.switchboard.shared.channels;

import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.Shareable;

/**
 * The way into one open connection of this node, used by the channel layer to fan a group message out
 * without the event bus. Implementations are thread-safe, never block and keep a bounded queue.
 */
public interface Outbox extends Shareable {

  /** What became of one offered message. */
  enum Result {
    /** Queued for the socket. */
    DELIVERED,
    /** The connection is closed. */
    CLOSED,
    /** The connection's outbound queue is full: the message is dropped and the socket closed with 1013. */
    TOO_SLOW
  }

  /** Offers {@code event} (never modified, possibly shared with other outboxes); callable from any thread. */
  Result offer(JsonObject event);
}

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
    TOO_SLOW,
    /** A bridge client sent to a connection it does not serve (see {@code Addresses.BRIDGE_SENDER_HEADER}). */
    NOT_PERMITTED
  }

  /**
   * The shared address of the consumer the connection was routed to (its connect went there), or null when none
   * (known from the start, so an event racing the consumer's accept is judged the same).
   */
  default String consumerAddress() {
    return null;
  }

  /** Offers {@code event} (never modified, possibly shared with other outboxes); callable from any thread. */
  Result offer(JsonObject event);
}

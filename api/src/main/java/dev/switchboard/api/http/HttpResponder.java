package dev.switchboard.api.http;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.util.Map;

/** Where an {@link HttpConsumer}'s response goes: implemented by the runtime that relays it to the client. */
public interface HttpResponder {

  /** {@code http.response.start}: status and headers. */
  Future<Void> start(int status, Map<String, String> headers);

  /**
   * {@code http.response.body}: one chunk; {@code more = false} ends the response. Completes once the gateway has
   * written the chunk to the client (backpressure), fails when the client has gone or is too slow.
   */
  Future<Void> body(Buffer chunk, boolean more);

  /** Whether the response has started (its headers were sent). */
  boolean started();

  /** The exchange's channel name: add it to groups to receive their messages (Server-sent events). */
  String channelName();
}

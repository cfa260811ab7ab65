package dev.switchboard.api.http;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.util.Map;

/** Where an {@link HttpConsumer}'s response goes: implemented by the runtime that relays it to the client. */
public interface HttpResponder {

  /** {@code http.response.start}: status and headers. */
  Future<Void> start(int status, Map<String, String> headers);

  /** {@code http.response.body}: one chunk; {@code more = false} ends the response. */
  Future<Void> body(Buffer chunk, boolean more);
}

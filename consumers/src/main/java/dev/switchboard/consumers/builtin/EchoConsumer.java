package dev.switchboard.consumers.builtin;

import dev.switchboard.api.consumers.WebsocketConsumer;
import io.vertx.core.Future;
import java.util.Locale;

/** {@code /ws/echo}: every text message comes back upper-cased. */
public final class EchoConsumer extends WebsocketConsumer {

  public static final String NAME = "echo";

  @Override
  protected Future<Void> receive(String text) {
    send(text.toUpperCase(Locale.ROOT));
    return Future.succeededFuture();
  }
}

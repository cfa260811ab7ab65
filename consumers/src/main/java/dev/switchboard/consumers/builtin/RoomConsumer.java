package dev.switchboard.consumers.builtin;

import dev.switchboard.api.channels.GroupNames;
import dev.switchboard.api.consumers.WebsocketConsumer;
import dev.switchboard.api.protocol.Asgi;
import dev.switchboard.api.protocol.CloseCodes;
import io.vertx.core.Future;

/**
 * {@code /ws/rooms/{room}}: a plain-text room. Every text frame goes, unchanged, to every member of the
 * room, the sender included: one group send, fanned out by each gateway node to its own sockets. The
 * scenario the peers' fan-out benchmark drives.
 */
public final class RoomConsumer extends WebsocketConsumer {

  public static final String NAME = "rooms";

  private String group;

  @Override
  protected Future<Void> connect() {
    group = "rooms." + param("room");
    if (!GroupNames.valid(group)) {
      close(CloseCodes.POLICY_VIOLATION, "invalid room name");
      return Future.succeededFuture();
    }
    return channelLayer().groupAdd(group, channelName()).onSuccess(v -> accept());
  }

  @Override
  protected Future<Void> receive(String text) {
    return channelLayer().groupSend(group, Asgi.sendText(text)).mapEmpty();
  }
}

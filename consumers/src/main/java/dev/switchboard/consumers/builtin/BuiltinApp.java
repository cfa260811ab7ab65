package dev.switchboard.consumers.builtin;

import dev.switchboard.consumers.builtin.http.RoomEventsConsumer;
import dev.switchboard.consumers.builtin.http.RoomMessagesConsumer;
import dev.switchboard.api.AppBuilder;
import dev.switchboard.api.SwitchboardApp;

/**
 * Switchboard's own consumers, an app like any user's (public API only, found through
 * {@code META-INF/services/dev.switchboard.api.SwitchboardApp}): {@code /ws/echo}, {@code /ws/chat/{room}} with its
 * history tables, {@code /ws/rooms/{room}}, {@code /ws/tasks/{id}}, and the rooms API's HTTP consumers
 * {@code /api/rooms/{room}/messages} and {@code /api/rooms/{room}/events} (server-sent events). The built-in tasks are the worker's
 * {@code BuiltinTasksApp}.
 */
public final class BuiltinApp implements SwitchboardApp {

  public static final String NAME = "switchboard";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void configure(AppBuilder app) {
    app.websocket("/ws/echo", EchoConsumer.NAME, EchoConsumer::new)
        .websocket("/ws/chat/:room", ChatConsumer.NAME, ChatConsumer::new)
        .websocket("/ws/rooms/:room", RoomConsumer.NAME, RoomConsumer::new)
        .websocket("/ws/tasks/:id", TaskProgressConsumer.NAME, TaskProgressConsumer::new)
        .http(RoomMessagesConsumer.PATTERN, RoomMessagesConsumer.NAME, RoomMessagesConsumer::new)
        .http(RoomEventsConsumer.PATTERN, RoomEventsConsumer.NAME, RoomEventsConsumer::new)
        .migrations("db/chat");
  }
}

package dev.switchboard.shared.apps;

import dev.switchboard.api.consumers.WebsocketConsumer;
import java.util.function.Supplier;

/** A WebSocket route an app declared: URL pattern → consumer name (its event-bus address) → factory. */
public record WebsocketRoute(String app, String pattern, String consumer, Supplier<? extends WebsocketConsumer> factory) {
}

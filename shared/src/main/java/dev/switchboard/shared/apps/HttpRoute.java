package dev.switchboard.shared.apps;

import dev.switchboard.api.http.HttpConsumer;
import java.util.function.Supplier;

/** An HTTP route an app declared: URL pattern → consumer name (its event-bus address) → factory. */
public record HttpRoute(String app, String pattern, String consumer, Supplier<? extends HttpConsumer> factory) {
}

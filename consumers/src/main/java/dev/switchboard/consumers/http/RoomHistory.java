package dev.switchboard.consumers.http;

import dev.switchboard.consumers.chat.ChatHistory;
import dev.switchboard.consumers.data.Database;
import dev.switchboard.shared.config.SwitchboardConfig;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/** The chat history repository of the calling context (one pool handle per consumer verticle), or null without PostgreSQL. */
final class RoomHistory {

  private static final String KEY = "switchboard.chat-history";

  private RoomHistory() {
  }

  static ChatHistory of(Vertx vertx, SwitchboardConfig config) {
    if (config.pgUrl().isEmpty()) {
      return null;
    }
    Context context = vertx.getOrCreateContext();
    ChatHistory existing = context.get(KEY);
    if (existing == null) {
      existing = new ChatHistory(Database.pool(vertx, config), config.channels().chatMaxMessageBytes());
      context.put(KEY, existing);
    }
    return existing;
  }
}

package dev.switchboard.consumers.builtin.http;

import dev.switchboard.api.AppEnvironment;
import dev.switchboard.consumers.builtin.ChatConsumer;
import dev.switchboard.consumers.builtin.chat.ChatHistory;
import io.vertx.core.Context;

/**
 * The chat history repository of the calling context (one per consumer verticle instance, on the app's pool), or
 * null when the node has no PostgreSQL for the app.
 */
final class RoomHistory {

  private static final String KEY = "switchboard.rooms-api-history";

  private RoomHistory() {
  }

  static ChatHistory of(AppEnvironment environment) {
    if (environment.pool().isEmpty()) {
      return null;
    }
    Context context = environment.vertx().getOrCreateContext();
    ChatHistory existing = context.get(KEY);
    if (existing == null) {
      int maxBytes = environment.settings().getInteger(ChatConsumer.MAX_MESSAGE_BYTES_SETTING, ChatHistory.MAX_MESSAGE_BYTES);
      existing = new ChatHistory(environment.pool().get(), maxBytes);
      context.put(KEY, existing);
    }
    return existing;
  }
}

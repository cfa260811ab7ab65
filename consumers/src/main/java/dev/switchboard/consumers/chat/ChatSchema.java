package dev.switchboard.consumers.chat;

import dev.switchboard.consumers.data.Migration;
import java.util.List;

/** The chat tables' migrations, in {@code db/chat/} of this module. Add a file here and there; never edit an applied one. */
public final class ChatSchema {

  public static final List<Migration> MIGRATIONS = Migration.load("chat", "db/chat",
      "V1__chat_messages.sql");

  private ChatSchema() {
  }
}

package dev.switchboard.consumers.builtin.chat;

/**
 * Every statement of {@link ChatHistory}, as SQL client templates: values go in as {@code #{name}} parameters, never
 * into the text.
 */
final class ChatSql {

  static final String APPEND = """
      INSERT INTO chat_messages (room, username, message, ts)
      VALUES (#{room}, #{user}, #{message}, #{ts})
      RETURNING id, room, username, message, ts""";

  /** The newest {@code limit} messages of a room older than the cursor {@code before}, newest first. */
  static final String BEFORE = """
      SELECT id, room, username, message, ts FROM chat_messages
      WHERE room = #{room} AND id < #{before}
      ORDER BY id DESC
      LIMIT #{limit}""";

  private ChatSql() {
  }
}

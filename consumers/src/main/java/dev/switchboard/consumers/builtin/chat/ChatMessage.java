package dev.switchboard.consumers.builtin.chat;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.templates.RowMapper;
import java.time.Instant;

/**
 * A stored chat message. {@code id} orders a room's messages and is the paging cursor; {@code ts} is when it was
 * accepted, in milliseconds on the wire (as in the live broadcast {@code {"room","user","message","ts"}}).
 */
public record ChatMessage(long id, String room, String user, String message, Instant ts) {

  static final RowMapper<ChatMessage> ROW = row -> new ChatMessage(
      row.getLong("id"),
      row.getString("room"),
      row.getString("username"),
      row.getString("message"),
      row.getOffsetDateTime("ts").toInstant());

  /** {@code {"id","room","user","message","ts"}}. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id)
        .put("room", room)
        .put("user", user)
        .put("message", message)
        .put("ts", ts.toEpochMilli());
  }
}

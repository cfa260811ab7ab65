package dev.switchboard.consumers.builtin.chat;

import io.vertx.core.Future;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.templates.SqlTemplate;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The chat rooms' history in PostgreSQL: append a message, read the last N of a room, page backwards from a cursor.
 * Pages are in chronological order (oldest first); the cursor is a message id.
 *
 * <p>Values are checked here before any query: a room is 1–94 of {@code A-Z a-z 0-9 _ . -} (it must also make a
 * valid channel-layer group {@code chat.<room>}), a user 1–150 characters, a message at most
 * {@code maxMessageBytes} of UTF-8; none may contain NUL. A bad value fails the Future with an
 * IllegalArgumentException whose message says what was expected. Everything else is stored verbatim, through
 * parameters. A database failure fails the Future with the client's exception (see {@code DatabaseErrors.isUnavailable}).
 */
public final class ChatHistory {

  public static final int MAX_PAGE = 200;
  /** The default bound of a message, as {@code channels.chatMaxMessageBytes}. */
  public static final int MAX_MESSAGE_BYTES = 4096;
  public static final int MAX_USER_LENGTH = 150;
  private static final Pattern ROOM = Pattern.compile("[A-Za-z0-9_.-]{1,94}");

  private final SqlTemplate<Map<String, Object>, RowSet<ChatMessage>> append;
  private final SqlTemplate<Map<String, Object>, RowSet<ChatMessage>> before;
  private final int maxMessageBytes;

  public ChatHistory(SqlClient client) {
    this(client, MAX_MESSAGE_BYTES);
  }

  public ChatHistory(SqlClient client, int maxMessageBytes) {
    this.maxMessageBytes = maxMessageBytes;
    this.append = SqlTemplate.forQuery(client, ChatSql.APPEND).mapTo(ChatMessage.ROW);
    this.before = SqlTemplate.forQuery(client, ChatSql.BEFORE).mapTo(ChatMessage.ROW);
  }

  /** One page of a room's history, oldest first; {@code next} is the cursor of the page before it, if any. */
  public record Page(List<ChatMessage> messages, Long next) {
  }

  /** Stores a message, stamped now; completes with it as stored (with its id) once committed. */
  public Future<ChatMessage> append(String room, String user, String message) {
    try {
      checkRoom(room);
      checkUser(user);
      checkMessage(message, maxMessageBytes);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    return append.execute(Map.of("room", room, "user", user, "message", message, "ts", now.atOffset(ZoneOffset.UTC)))
        .map(rows -> rows.iterator().next());
  }

  /** The last {@code limit} messages of {@code room}, oldest first. */
  public Future<List<ChatMessage>> last(String room, int limit) {
    return page(room, null, limit).map(Page::messages);
  }

  /**
   * Up to {@code limit} (1–{@link #MAX_PAGE}) messages of {@code room} older than the message {@code before} (null:
   * the newest), oldest first.
   */
  public Future<Page> page(String room, Long before, int limit) {
    try {
      checkRoom(room);
      if (limit < 1 || limit > MAX_PAGE) {
        throw new IllegalArgumentException("limit: expected an integer from 1 to " + MAX_PAGE + ", got " + limit);
      }
      if (before != null && before < 1) {
        throw new IllegalArgumentException("before: expected a message id (a positive integer), got " + before);
      }
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    long cursor = before == null ? Long.MAX_VALUE : before;
    return this.before.execute(Map.of("room", room, "before", cursor, "limit", limit + 1)).map(rows -> {
      List<ChatMessage> newestFirst = new ArrayList<>(limit + 1);
      rows.forEach(newestFirst::add);
      boolean more = newestFirst.size() > limit;
      if (more) {
        newestFirst.remove(limit);
      }
      Collections.reverse(newestFirst);
      return new Page(newestFirst, more ? newestFirst.get(0).id() : null);
    });
  }

  /** Fails with an IllegalArgumentException unless {@code room} is a valid room name. */
  public static void checkRoom(String room) {
    if (room == null || !ROOM.matcher(room).matches()) {
      throw new IllegalArgumentException("room: expected 1 to 94 of A-Z a-z 0-9 _ . -, got \"" + room + "\"");
    }
  }

  static void checkUser(String user) {
    if (user == null || user.isEmpty() || user.length() > MAX_USER_LENGTH || user.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("user: expected 1 to " + MAX_USER_LENGTH + " characters without NUL");
    }
  }

  static void checkMessage(String message, int maxMessageBytes) {
    if (message == null) {
      throw new IllegalArgumentException("message: expected a string");
    }
    int bytes = message.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > maxMessageBytes) {
      throw new IllegalArgumentException("message too long: " + bytes + " bytes, the limit is " + maxMessageBytes);
    }
    if (message.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("message: NUL characters cannot be stored");
    }
  }
}

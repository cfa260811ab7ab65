package dev.switchboard.consumers.builtin.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.consumers.data.Database;
import dev.switchboard.consumers.data.PgTesting;
import dev.switchboard.shared.config.SwitchboardConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.sqlclient.Pool;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("Chat history on the machine's PostgreSQL, in a fresh database; each test in its own room")
class ChatHistoryTest {

  private static String url;
  private static Pool pool;
  private static ChatHistory history;

  @BeforeAll
  static void migrate(Vertx vertx, VertxTestContext testContext) {
    PgTesting.createDatabase(vertx)
        .compose(created -> {
          url = created;
          SwitchboardConfig config = PgTesting.config(created);
          return Database.migrate(vertx, config, PgTesting.builtinMigrations()).map(report -> config);
        })
        .onSuccess(config -> {
          pool = Database.pool(vertx, config);
          history = new ChatHistory(pool);
        })
        .onComplete(testContext.succeedingThenComplete());
  }

  @AfterAll
  static void drop(Vertx vertx, VertxTestContext testContext) {
    (pool == null ? Future.<Void>succeededFuture() : pool.close())
        .compose(v -> PgTesting.dropDatabase(vertx, url))
        .onComplete(testContext.succeedingThenComplete());
  }

  /** Appends "m1".."mN" to {@code room} one after another, so their order is the order sent. */
  private static Future<Void> appendNumbered(String room, int count) {
    Future<Void> chain = Future.succeededFuture();
    for (int i = 1; i <= count; i++) {
      String text = "m" + i;
      chain = chain.compose(v -> history.append(room, "alice", text).mapEmpty());
    }
    return chain;
  }

  private static List<String> texts(List<ChatMessage> messages) {
    return messages.stream().map(ChatMessage::message).toList();
  }

  @Test
  @Timeout(10_000)
  @DisplayName("the last N of a room come oldest first, and only that room's")
  void lastN(VertxTestContext testContext) {
    appendNumbered("ordering", 5)
        .compose(v -> history.append("ordering-other", "bob", "elsewhere"))
        .compose(v -> history.last("ordering", 3))
        .onComplete(testContext.succeeding(last -> testContext.verify(() -> {
          assertEquals(List.of("m3", "m4", "m5"), texts(last));
          assertTrue(last.get(0).id() < last.get(1).id() && last.get(1).id() < last.get(2).id());
          assertTrue(!last.get(0).ts().isAfter(last.get(2).ts()));
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(10_000)
  @DisplayName("paging backwards with the cursor visits every message once, newest page first, each page oldest first")
  void paging(VertxTestContext testContext) {
    appendNumbered("paging", 25)
        .compose(v -> history.page("paging", null, 10))
        .compose(first -> {
          testContext.verify(() -> assertEquals(List.of("m16", "m17", "m18", "m19", "m20", "m21", "m22", "m23", "m24", "m25"),
              texts(first.messages())));
          return history.page("paging", first.next(), 10);
        })
        .compose(second -> {
          testContext.verify(() -> assertEquals(List.of("m6", "m7", "m8", "m9", "m10", "m11", "m12", "m13", "m14", "m15"),
              texts(second.messages())));
          return history.page("paging", second.next(), 10);
        })
        .onComplete(testContext.succeeding(third -> testContext.verify(() -> {
          assertEquals(List.of("m1", "m2", "m3", "m4", "m5"), texts(third.messages()));
          assertNull(third.next(), "no page before the first message");
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(10_000)
  @DisplayName("text that looks like SQL injection, or like a template parameter, is stored and read back verbatim")
  void injectionStoredVerbatim(VertxTestContext testContext) {
    String message = "'); DROP TABLE chat_messages; -- #{room} $1 \\x00 ' OR '1'='1";
    String user = "Robert'); DROP TABLE students;--";
    history.append("injection", user, message)
        .compose(stored -> history.last("injection", 10).map(read -> List.of(stored, read.get(0))))
        .onComplete(testContext.succeeding(both -> testContext.verify(() -> {
          for (ChatMessage m : both) {
            assertEquals(message, m.message());
            assertEquals(user, m.user());
            assertEquals("injection", m.room());
          }
          testContext.completeNow();
        })));
  }

  @Test
  @Timeout(10_000)
  @DisplayName("bad values are refused before any query, with a message saying what was expected")
  void badValues(VertxTestContext testContext) {
    Future.all(List.of(
            history.append("no spaces", "u", "m").transform(Future::succeededFuture),
            history.append("room", "u", "nul\0byte").transform(Future::succeededFuture),
            history.append("room", "u", "x".repeat(ChatHistory.MAX_MESSAGE_BYTES + 1)).transform(Future::succeededFuture),
            history.page("room", null, 0).transform(Future::succeededFuture),
            history.page("room", null, ChatHistory.MAX_PAGE + 1).transform(Future::succeededFuture),
            history.page("room", -1L, 10).transform(Future::succeededFuture)))
        .onComplete(testContext.succeeding(all -> testContext.verify(() -> {
          for (int i = 0; i < all.size(); i++) {
            io.vertx.core.AsyncResult<?> result = all.resultAt(i);
            assertTrue(result.failed(), "case " + i + " should fail");
            assertInstanceOf(IllegalArgumentException.class, result.cause(), "case " + i);
          }
          testContext.completeNow();
        })));
  }
}

package dev.switchboard.consumers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchboard.api.AppEnvironment;
import dev.switchboard.api.channels.ChannelLayer;
import dev.switchboard.api.channels.GroupMember;
import dev.switchboard.api.channels.GroupSendReport;
import dev.switchboard.api.consumers.ConsumerDriver;
import dev.switchboard.api.consumers.WebsocketConsumer;
import dev.switchboard.api.protocol.Asgi;
import dev.switchboard.api.protocol.CloseCodes;
import dev.switchboard.api.tasks.TaskClient;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** One connection's events reach its consumer one at a time, in order, with a bounded backlog. */
class ConsumerConnectionTest {

  private static final String CHANNEL = "switchboard.channel.node.test";

  /** Records every hook call; a text named in {@code held} is answered only when the test completes its promise. */
  private static final class Recording extends WebsocketConsumer {
    final List<String> calls = new ArrayList<>();
    final Map<String, Promise<Void>> held = new HashMap<>();

    @Override
    protected Future<Void> receive(String text) {
      calls.add(text);
      if (text.startsWith("throw")) {
        throw new IllegalStateException("hook failed: " + text);
      }
      if (text.startsWith("fail")) {
        return Future.failedFuture("hook failed: " + text);
      }
      Promise<Void> promise = held.get(text);
      return promise == null ? Future.succeededFuture() : promise.future();
    }

    @Override
    protected Future<Void> disconnect(int code) {
      calls.add("disconnect " + code);
      return Future.succeededFuture();
    }
  }

  /** What the consumer sent to its channel. */
  private final List<JsonObject> sent = new ArrayList<>();
  private final Recording consumer = new Recording();
  private final ConsumerConnection connection = new ConsumerConnection("test", accepted());

  private ConsumerDriver accepted() {
    ConsumerDriver driver = ConsumerDriver.bind(consumer, environment(),
        new JsonObject().put(Asgi.TYPE, Asgi.CONNECT).put(Asgi.CHANNEL, CHANNEL));
    driver.connect();   // the default connect accepts
    return driver;
  }

  private static JsonObject receive(String text) {
    return new JsonObject().put(Asgi.TYPE, Asgi.RECEIVE).put(Asgi.CHANNEL, CHANNEL).put(Asgi.TEXT, text);
  }

  @Test
  @DisplayName("an event that arrives while a hook runs waits for it, and every event keeps its order")
  void oneAtATimeInOrder() {
    Promise<Void> slow = Promise.promise();
    Promise<Void> slower = Promise.promise();
    consumer.held.put("b", slow);
    consumer.held.put("e", slower);
    for (String text : List.of("a", "b", "c", "d", "e", "f")) {
      connection.dispatch(receive(text));
    }
    assertEquals(List.of("a", "b"), consumer.calls, "c waits for b's hook");
    slow.complete();
    assertEquals(List.of("a", "b", "c", "d", "e"), consumer.calls);
    slower.complete();
    connection.dispatch(receive("g"));
    connection.dispatch(new JsonObject().put(Asgi.TYPE, Asgi.DISCONNECT).put(Asgi.CHANNEL, CHANNEL).put(Asgi.CODE, 1000));
    connection.dispatch(receive("after the end"));
    assertEquals(List.of("a", "b", "c", "d", "e", "f", "g", "disconnect 1000"), consumer.calls);
  }

  @Test
  @DisplayName("a hook that throws or fails does not stop the events after it")
  void failuresDoNotStopTheConnection() {
    Promise<Void> slow = Promise.promise();
    consumer.held.put("slow", slow);
    for (String text : List.of("throw 1", "fail 1", "slow", "throw 2", "fail 2", "last")) {
      connection.dispatch(receive(text));
    }
    slow.complete();
    assertEquals(List.of("throw 1", "fail 1", "slow", "throw 2", "fail 2", "last"), consumer.calls);
  }

  @Test
  @DisplayName("a consumer MAX_BACKLOG events behind has its socket closed with 1013, and what arrives then is dropped")
  void boundedBacklog() {
    Promise<Void> stuck = Promise.promise();
    consumer.held.put("stuck", stuck);
    connection.dispatch(receive("stuck"));
    for (int i = 0; i < ConsumerConnection.MAX_BACKLOG - 1; i++) {
      connection.dispatch(receive("queued " + i));
    }
    assertEquals(List.of(), sent, "still within the bound");
    connection.dispatch(receive("one too many"));
    connection.dispatch(receive("dropped"));
    assertEquals(1, sent.size());
    assertEquals(Asgi.CLOSE, Asgi.type(sent.get(0)));
    assertEquals(CloseCodes.TRY_AGAIN_LATER, sent.get(0).getInteger(Asgi.CODE).shortValue());
    stuck.complete();
    assertEquals(ConsumerConnection.MAX_BACKLOG, consumer.calls.size(), "the queued events ran, the later ones did not");
    assertEquals("queued " + (ConsumerConnection.MAX_BACKLOG - 2), consumer.calls.get(consumer.calls.size() - 1));
  }

  private AppEnvironment environment() {
    ChannelLayer layer = new ChannelLayer() {
      @Override
      public Future<Void> send(String channel, JsonObject message) {
        sent.add(message);
        return Future.succeededFuture();
      }

      @Override
      public Future<Void> groupAdd(String group, String channel, JsonObject meta) {
        throw new UnsupportedOperationException();
      }

      @Override
      public Future<Void> groupDiscard(String group, String channel) {
        throw new UnsupportedOperationException();
      }

      @Override
      public Future<GroupSendReport> groupSend(String group, JsonObject message) {
        throw new UnsupportedOperationException();
      }

      @Override
      public Future<List<String>> groups() {
        throw new UnsupportedOperationException();
      }

      @Override
      public Future<List<GroupMember>> members(String group) {
        throw new UnsupportedOperationException();
      }
    };
    return new AppEnvironment() {
      @Override
      public String appName() {
        return "test";
      }

      @Override
      public Vertx vertx() {
        throw new UnsupportedOperationException();
      }

      @Override
      public ChannelLayer channelLayer() {
        return layer;
      }

      @Override
      public TaskClient tasks() {
        throw new UnsupportedOperationException();
      }

      @Override
      public JsonObject settings() {
        return new JsonObject();
      }

      @Override
      public Optional<Pool> pool() {
        return Optional.empty();
      }
    };
  }
}

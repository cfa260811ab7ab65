package dev.switchboard.shared.channels;

import dev.switchboard.api.channels.PresenceEvent;
import dev.switchboard.api.channels.GroupMember;
import dev.switchboard.api.channels.GroupSendReport;
import dev.switchboard.api.channels.ChannelLayer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.shared.protocol.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What every {@link ChannelLayer} must do; each implementation's test supplies the layer. */
@Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
abstract class ChannelLayerContract {

  protected abstract ChannelLayer layer();

  private static JsonObject hello(String text) {
    return new JsonObject().put("type", "chat.message").put("text", text);
  }

  @Test
  @DisplayName("send delivers the message to the channel's address")
  void sendReachesChannel(Vertx vertx, VertxTestContext test) {
    TestChannel channel = TestChannel.open(vertx).onMessage(m -> test.verify(() -> {
      assertEquals("hi", m.getString("text"));
      test.completeNow();
    }));
    layer().send(channel.name, hello("hi")).onFailure(test::failNow);
  }

  @Test
  @DisplayName("groupSend hands the message to every member once and reports it")
  void groupSendReachesEveryMemberOnce(Vertx vertx, VertxTestContext test) {
    TestChannel a = TestChannel.open(vertx);
    TestChannel b = TestChannel.open(vertx);
    layer().groupAdd("room", a.name)
        .compose(v -> layer().groupAdd("room", b.name))
        .compose(v -> layer().groupAdd("room", a.name))
        .compose(v -> layer().groupSend("room", hello("one")))
        .onComplete(test.succeeding(report -> test.verify(() -> {
          assertEquals(2, report.delivered());
          assertEquals(0, report.droppedTotal());
          assertEquals(1, report.nodesReached());
          assertEquals(1, a.received.size());
          assertEquals(1, b.received.size());
          test.completeNow();
        })));
  }

  @Test
  @DisplayName("a discarded member no longer receives, and discarding a non-member does nothing")
  void discardStopsDelivery(Vertx vertx, VertxTestContext test) {
    TestChannel a = TestChannel.open(vertx);
    TestChannel b = TestChannel.open(vertx);
    layer().groupAdd("room", a.name)
        .compose(v -> layer().groupAdd("room", b.name))
        .compose(v -> layer().groupDiscard("room", a.name))
        .compose(v -> layer().groupDiscard("room", a.name))
        .compose(v -> layer().groupDiscard("other", b.name))
        .compose(v -> layer().groupSend("room", hello("two")))
        .onComplete(test.succeeding(report -> test.verify(() -> {
          assertEquals(1, report.delivered());
          assertEquals(List.of(), a.received);
          assertEquals(1, b.received.size());
          test.completeNow();
        })));
  }

  @Test
  @DisplayName("a group send to an empty group succeeds and reports nothing delivered")
  void emptyGroup(VertxTestContext test) {
    layer().groupSend("nobody-here", hello("x")).onComplete(test.succeeding(report -> test.verify(() -> {
      assertEquals(0, report.delivered());
      assertEquals(0, report.nodes());
      test.completeNow();
    })));
  }

  @Test
  @DisplayName("a closed channel leaves all its groups at once, with a presence leave event")
  void closedChannelLeaves(Vertx vertx, VertxTestContext test) {
    TestChannel a = TestChannel.open(vertx);
    TestChannel b = TestChannel.open(vertx);
    Checkpoint leave = test.checkpoint();
    Checkpoint delivered = test.checkpoint();
    vertx.eventBus().<JsonObject>localConsumer(Addresses.presence("room"), msg -> {
      if (PresenceEvent.LEAVE.equals(msg.body().getString("type"))) {
        test.verify(() -> assertEquals(a.name, msg.body().getJsonObject("member").getString("channel")));
        leave.flag();
      }
    });
    layer().groupAdd("room", a.name)
        .compose(v -> layer().groupAdd("room", b.name))
        .compose(v -> layer().groupAdd("lobby", a.name))
        .onSuccess(v -> a.close())
        .compose(v -> eventually(vertx, () -> layer().count("room"), 1))
        .compose(v -> eventually(vertx, () -> layer().count("lobby"), 0))
        .compose(v -> layer().groupSend("room", hello("after close")))
        .onComplete(test.succeeding(report -> test.verify(() -> {
          assertEquals(1, report.delivered());
          assertEquals(List.of(), a.received);
          delivered.flag();
        })));
  }

  @Test
  @DisplayName("adding a channel that is not open on its node fails")
  void addClosedChannelFails(Vertx vertx, VertxTestContext test) {
    TestChannel a = TestChannel.open(vertx);
    a.close();
    layer().groupAdd("room", a.name).onComplete(test.failing(err -> test.verify(() -> {
      assertTrue(err.getMessage().contains("not open"), err.getMessage());
      test.completeNow();
    })));
  }

  @Test
  @DisplayName("bad group and channel names fail with IllegalArgumentException, naming the value")
  void badNames(Vertx vertx, VertxTestContext test) {
    TestChannel a = TestChannel.open(vertx);
    Checkpoint checks = test.checkpoint(3);
    layer().groupAdd("no spaces allowed", a.name).onComplete(test.failing(err -> test.verify(() -> {
      assertInstanceOf(IllegalArgumentException.class, err);
      assertTrue(err.getMessage().contains("no spaces allowed"), err.getMessage());
      checks.flag();
    })));
    layer().groupSend("x".repeat(100), hello("x")).onComplete(test.failing(err -> test.verify(() -> {
      assertInstanceOf(IllegalArgumentException.class, err);
      checks.flag();
    })));
    layer().groupAdd("room", "not-a-channel").onComplete(test.failing(err -> test.verify(() -> {
      assertInstanceOf(IllegalArgumentException.class, err);
      assertTrue(err.getMessage().contains("not-a-channel"), err.getMessage());
      checks.flag();
    })));
  }

  @Test
  @DisplayName("groups and members are listed, each member with its presence metadata")
  void listing(Vertx vertx, VertxTestContext test) {
    TestChannel a = TestChannel.open(vertx);
    TestChannel b = TestChannel.open(vertx);
    layer().groupAdd("red", a.name, new JsonObject().put("user", "ann"))
        .compose(v -> layer().groupAdd("red", b.name, new JsonObject().put("user", "bob")))
        .compose(v -> layer().groupAdd("blue", b.name))
        .compose(v -> Future.all(layer().groups(), layer().members("red"), layer().count("blue")))
        .onComplete(test.succeeding(all -> test.verify(() -> {
          List<String> groups = all.resultAt(0);
          List<GroupMember> red = all.resultAt(1);
          assertEquals(List.of("blue", "red"), groups.stream().sorted().toList());
          assertEquals(List.of("ann", "bob"), red.stream().map(m -> m.meta().getString("user")).toList());
          assertEquals(a.name, red.get(0).channel());
          assertEquals(1, (int) all.resultAt(2));
          test.completeNow();
        })));
  }

  @Test
  @DisplayName("joining and leaving publish presence events on the group's presence address")
  void presenceEvents(Vertx vertx, VertxTestContext test) {
    TestChannel a = TestChannel.open(vertx);
    Checkpoint join = test.checkpoint();
    Checkpoint leave = test.checkpoint();
    vertx.eventBus().<JsonObject>localConsumer(Addresses.presence("room"), msg -> {
      JsonObject member = msg.body().getJsonObject("member");
      test.verify(() -> assertEquals("ann", member.getJsonObject("meta").getString("user")));
      (PresenceEvent.JOIN.equals(msg.body().getString("type")) ? join : leave).flag();
    }).completion()
        .compose(v -> layer().groupAdd("room", a.name, new JsonObject().put("user", "ann")))
        .compose(v -> layer().groupDiscard("room", a.name))
        .onFailure(test::failNow);
  }

  @Test
  @DisplayName("a member too slow to take a message is reported dropped with the reason, others still get it")
  void slowMemberReported(Vertx vertx, VertxTestContext test) {
    TestChannel a = TestChannel.open(vertx);
    TestChannel b = TestChannel.open(vertx);
    b.becomeSlow();
    layer().groupAdd("room", a.name)
        .compose(v -> layer().groupAdd("room", b.name))
        .compose(v -> layer().groupSend("room", hello("fast")))
        .onComplete(test.succeeding(report -> test.verify(() -> {
          assertEquals(1, report.delivered());
          assertEquals(Map.of(GroupSendReport.CLIENT_TOO_SLOW, 1), report.dropped());
          assertEquals(1, a.received.size());
          test.completeNow();
        })));
  }

  /** Polls {@code count} on the event loop until it returns {@code expected} (the close notice is asynchronous). */
  static Future<Void> eventually(Vertx vertx, java.util.function.Supplier<Future<Integer>> count, int expected) {
    return count.get().compose(n -> n == expected
        ? Future.succeededFuture()
        : vertx.timer(10).compose(t -> eventually(vertx, count, expected)));
  }
}

package dev.switchboard.shared.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchboard.api.channels.ChannelLayer;
import dev.switchboard.api.protocol.Asgi;
import dev.switchboard.shared.cluster.ClusterMembership;
import dev.switchboard.shared.protocol.Addresses;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.junit5.Checkpoint;
import java.util.ArrayList;
import java.util.List;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("EventBusChannelLayer on one node")
class EventBusChannelLayerTest extends ChannelLayerContract {

  private ChannelLayer layer;

  @BeforeEach
  void deploy(Vertx vertx, VertxTestContext test) {
    layer = new EventBusChannelLayer(vertx, 5000);
    vertx.deployVerticle(ChannelLayerVerticle.standalone(), new io.vertx.core.DeploymentOptions().setConfig(new JsonObject()))
        .onComplete(test.succeedingThenComplete());
  }

  @Override
  protected ChannelLayer layer() {
    return layer;
  }

  @Test
  @DisplayName("a bridge client's send to the node's inbox (the channel in a header, a JSON body) reaches the channel")
  void headerFormReachesChannel(Vertx vertx, VertxTestContext test) {
    TestChannel channel = TestChannel.open(vertx).onMessage(m -> test.verify(() -> {
      assertEquals("from a bridge", m.getString(Asgi.TEXT));
      test.completeNow();
    }));
    vertx.eventBus().send(Addresses.inbox(ClusterMembership.of(vertx).nodeId()), Asgi.sendText("from a bridge"),
        new DeliveryOptions().addHeader(Addresses.CHANNEL_HEADER, channel.name));
  }

  @Test
  @DisplayName("events sent to two channels of a node reach each in the order sent")
  void sendsKeepTheirOrder(Vertx vertx, VertxTestContext test) {
    TestChannel a = TestChannel.open(vertx);
    TestChannel b = TestChannel.open(vertx);
    List<String> expected = new ArrayList<>();
    Checkpoint done = test.checkpoint(2);
    for (TestChannel channel : List.of(a, b)) {
      channel.onMessage(m -> {
        if (channel.received.size() == 200) {
          test.verify(() -> assertEquals(expected, channel.received.stream().map(e -> e.getString(Asgi.TEXT)).toList()));
          done.flag();
        }
      });
    }
    for (int i = 0; i < 200; i++) {
      expected.add("m" + i);
      layer.send(a.name, Asgi.sendText("m" + i));
      layer.send(b.name, Asgi.sendText("m" + i));
    }
  }
}

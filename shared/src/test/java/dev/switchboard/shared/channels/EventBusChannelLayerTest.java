package dev.switchboard.shared.channels;

import dev.switchboard.api.channels.ChannelLayer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("EventBusChannelLayer on one node")
class EventBusChannelLayerTest extends ChannelLayerContract {

  private ChannelLayer layer;

  @BeforeEach
  void deploy(Vertx vertx, VertxTestContext test) {
    layer = new EventBusChannelLayer(vertx, 5000);
    vertx.deployVerticle(new ChannelLayerVerticle(), new io.vertx.core.DeploymentOptions().setConfig(new JsonObject()))
        .onComplete(test.succeedingThenComplete());
  }

  @Override
  protected ChannelLayer layer() {
    return layer;
  }
}

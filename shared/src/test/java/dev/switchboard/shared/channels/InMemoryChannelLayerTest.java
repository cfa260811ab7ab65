package dev.switchboard.shared.channels;

import dev.switchboard.api.channels.ChannelLayer;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("InMemoryChannelLayer")
class InMemoryChannelLayerTest extends ChannelLayerContract {

  private ChannelLayer layer;

  @BeforeEach
  void create(Vertx vertx) {
    layer = new InMemoryChannelLayer(vertx, 100, 100_000);
  }

  @Override
  protected ChannelLayer layer() {
    return layer;
  }
}

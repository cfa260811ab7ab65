package dev.switchboard.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.api.AppBuilder;
import dev.switchboard.api.NodeRole;
import dev.switchboard.api.SwitchboardApp;
import dev.switchboard.api.consumers.WebsocketConsumer;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayName("An app's own verticles and settings")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AppVerticleTest {

  /** Answers on {@code kit.greeting} with its app's setting {@code greeting}. */
  static final class GreetingVerticle extends VerticleBase {
    private final String greeting;

    GreetingVerticle(String greeting) {
      this.greeting = greeting;
    }

    @Override
    public Future<?> start() {
      return vertx.eventBus().<String>consumer("kit.greeting", message -> message.reply(greeting + ", " + message.body()))
          .completion();
    }
  }

  /** {@code /ws/kit}: sends the app setting {@code greeting} on connect. */
  static final class SettingsConsumer extends WebsocketConsumer {
    @Override
    protected Future<Void> connect() {
      accept();
      send(settings().getString("greeting", "(none)"));
      return Future.succeededFuture();
    }
  }

  static final class KitApp implements SwitchboardApp {
    @Override
    public String name() {
      return "kitapp";
    }

    @Override
    public void configure(AppBuilder app) {
      app.websocket("/ws/kit", SettingsConsumer::new)
          .verticle(NodeRole.CONSUMERS, environment -> new GreetingVerticle(environment.settings().getString("greeting")),
              new DeploymentOptions());
    }
  }

  @Test
  @DisplayName("a verticle declared for the consumers role is deployed with the app's settings, which its consumers read too")
  void verticleAndSettings() throws Exception {
    try (SwitchboardTestNode node = SwitchboardTestNode.builder().app(new KitApp())
        .redisUrl(BuiltinAppTest.REDIS_URL).pgUrl(BuiltinAppTest.PG_URL)
        .roles(NodeRole.GATEWAY, NodeRole.CONSUMERS)
        .config(new JsonObject()
            .put("tasks", new JsonObject().put("namespace", "kit-" + UUID.randomUUID()))
            .put("apps", new JsonObject().put("kitapp", new JsonObject().put("greeting", "ahoy"))))
        .start()) {
      assertEquals("ahoy, ada", node.vertx().eventBus().<String>request("kit.greeting", "ada").await().body());
      WebsocketCommunicator ws = node.websocket("/ws/kit");
      assertTrue(ws.connect());
      assertEquals("ahoy", ws.receiveText());
      ws.disconnect();
    }
  }
}

package dev.switchboard.shared.apps;

import static dev.switchboard.api.tasks.TaskSignature.param;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.switchboard.api.AppBuilder;
import dev.switchboard.api.SwitchboardApp;
import dev.switchboard.api.consumers.WebsocketConsumer;
import dev.switchboard.api.tasks.TaskSignature;
import io.vertx.core.Future;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("An app catalog checks what apps declare and refuses what two of them claim")
class AppCatalogTest {

  static final class Nothing extends WebsocketConsumer {
  }

  private static SwitchboardApp app(String name, Consumer<AppBuilder> body) {
    return new SwitchboardApp() {
      @Override
      public void configure(AppBuilder app) {
        body.accept(app);
      }

      @Override
      public String name() {
        return name;
      }
    };
  }

  @Test
  @DisplayName("routes keep their order and consumer names are derived from the pattern's literal segments")
  void derivesNames() {
    AppCatalog catalog = AppCatalog.of(List.of(app("one", a -> a
        .websocket("/ws/quickstart/:name", Nothing::new)
        .websocket("/ws/echo", Nothing::new)
        .task("one.noop", TaskSignature.of(), context -> Future.succeededFuture()))));
    assertEquals(List.of("quickstart", "echo"), catalog.websocketRoutes().stream().map(WebsocketRoute::consumer).toList());
    assertEquals("quickstart.square", AppBuilder.consumerName("/quickstart/square/:n"));
    assertEquals(List.of("one.noop"), catalog.tasks().stream().map(task -> task.name()).toList());
  }

  @Test
  @DisplayName("two apps claiming one route, even with other parameter names, are refused with both named")
  void refusesDuplicateRoute() {
    AppException e = assertThrows(AppException.class, () -> AppCatalog.of(List.of(
        app("first", a -> a.websocket("/ws/chat/:room", "chat", Nothing::new)),
        app("second", a -> a.websocket("/ws/chat/:other", "chat2", Nothing::new)))));
    assertEquals("route /ws/chat/:other of app second is already claimed by app first (route /ws/chat/:room)", e.getMessage());
  }

  @Test
  @DisplayName("two apps claiming one task name are refused")
  void refusesDuplicateTask() {
    AppException e = assertThrows(AppException.class, () -> AppCatalog.of(List.of(
        app("first", a -> a.task("add", TaskSignature.of(param("x", TaskSignature.Type.NUMBER)), c -> Future.succeededFuture())),
        app("second", a -> a.blockingTask("add", TaskSignature.of(), c -> null)))));
    assertEquals("task add of app second is already claimed by app first (task add)", e.getMessage());
  }

  @Test
  @DisplayName("a malformed route pattern is refused, saying what is wrong")
  void refusesBadPattern() {
    assertEquals("app bad: bad route pattern \"ws/x\": expected a path starting with '/'",
        assertThrows(AppException.class, () -> AppCatalog.of(List.of(app("bad", a -> a.websocket("ws/x", Nothing::new))))).getMessage());
    assertEquals("app bad: bad route pattern \"/ws/a b\": segment \"a b\" has characters other than letters, digits, '.', '_', '~' or '-'",
        assertThrows(AppException.class, () -> AppCatalog.of(List.of(app("bad", a -> a.websocket("/ws/a b", Nothing::new))))).getMessage());
    assertEquals("app bad: bad route pattern \"/ws/:id/:id\": parameter \":id\" appears twice",
        assertThrows(AppException.class, () -> AppCatalog.of(List.of(app("bad", a -> a.websocket("/ws/:id/:id", Nothing::new))))).getMessage());
  }

  @Test
  @DisplayName("an app whose configure throws is named in the error")
  void reportsConfigureFailure() {
    AppException e = assertThrows(AppException.class, () -> AppCatalog.of(List.of(app("broken", a -> {
      throw new IllegalStateException("boom");
    }))));
    assertEquals(true, e.getMessage().startsWith("app broken ("), e.getMessage());
    assertEquals(true, e.getMessage().endsWith("configure failed: java.lang.IllegalStateException: boom"), e.getMessage());
  }
}

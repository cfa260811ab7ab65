package dev.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.shared.cluster.ClusterMembership;
import dev.switchboard.shared.metrics.MetricNames;
import dev.switchboard.shared.metrics.SwitchboardMetrics;
import dev.switchboard.shared.protocol.Addresses;
import dev.switchboard.shared.routes.Route;
import dev.switchboard.shared.routes.RouteAnnouncer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
@DisplayName("The gateway's route table, built from announcements")
class RouteDirectoryTest {

  /**
   * Announces a marker after what the test sent, and waits until the directory has heard it: announcements from one
   * sender arrive in order, so everything sent before has arrived too.
   */
  private static Future<Void> settle(Vertx vertx, RouteDirectory directory) {
    RouteAnnouncer marker = new RouteAnnouncer(vertx, "marker-" + System.nanoTime());
    String pattern = "/marker/" + System.nanoTime();
    return marker.announce(List.of(Route.websocket(pattern, "marker")))
        .compose(v -> heard(vertx, directory, pattern, System.currentTimeMillis() + 5000));
  }

  private static Future<Void> heard(Vertx vertx, RouteDirectory directory, String pattern, long deadline) {
    if (directory.match(Route.Kind.WEBSOCKET, pattern).isPresent()) {
      return Future.succeededFuture();
    }
    if (System.currentTimeMillis() > deadline) {
      return Future.failedFuture(new AssertionError("the directory never heard " + pattern));
    }
    return vertx.timer(10).compose(t -> heard(vertx, directory, pattern, deadline));
  }

  @Test
  @DisplayName("a gateway started after the announcement serves it; a withdrawal makes the path unknown again")
  void lateStartAndWithdraw(Vertx vertx, VertxTestContext testContext) {
    RouteAnnouncer announcer = new RouteAnnouncer(vertx, "consumers-1");
    RouteDirectory directory = new RouteDirectory(vertx);
    announcer.announce(List.of(Route.websocket("/ws/chat/:room", "chat"), Route.http("/api/rooms/:room/messages", "rooms-api")))
        .compose(v -> directory.start())
        .compose(v -> {
          testContext.verify(() -> {
            RouteMatch match = directory.match(Route.Kind.WEBSOCKET, "/ws/chat/lobby").orElseThrow();
            assertEquals("chat", match.consumer());
            assertEquals("lobby", match.params().getString("room"));
            assertEquals("rooms-api", directory.match(Route.Kind.HTTP, "/api/rooms/x/messages").orElseThrow().consumer());
            assertTrue(directory.match(Route.Kind.HTTP, "/ws/chat/lobby").isEmpty(), "kinds are separate tables");
          });
          return announcer.withdraw();
        })
        .compose(v -> settle(vertx, directory))
        .onComplete(testContext.succeeding(v -> testContext.verify(() -> {
          assertTrue(directory.match(Route.Kind.WEBSOCKET, "/ws/chat/lobby").isEmpty());
          testContext.completeNow();
        })));
  }

  @Test
  @DisplayName("two sources announcing one pattern for different consumers are reported as a conflict, counted, and the first keeps it")
  void conflictsReported(Vertx vertx, VertxTestContext testContext) {
    RouteDirectory directory = new RouteDirectory(vertx);
    directory.start()
        .compose(v -> new RouteAnnouncer(vertx, "first").announce(List.of(Route.websocket("/ws/x", "one"))))
        .compose(v -> new RouteAnnouncer(vertx, "second").announce(List.of(Route.websocket("/ws/x", "two"))))
        .compose(v -> settle(vertx, directory))
        .onComplete(testContext.succeeding(v -> testContext.verify(() -> {
          assertEquals("one", directory.match(Route.Kind.WEBSOCKET, "/ws/x").orElseThrow().consumer());
          JsonObject conflict = directory.toJson().getJsonArray("conflicts").getJsonObject(0);
          assertEquals("websocket /ws/x", conflict.getString("route"));
          assertEquals(List.of("one", "two"), conflict.getJsonArray("consumers").getList());
          double gauge = SwitchboardMetrics.registry(vertx).get(MetricNames.ROUTE_CONFLICTS)
              .tag(MetricNames.NODE, ClusterMembership.of(vertx).nodeId()).gauge().value();
          assertEquals(1.0, gauge);
          testContext.completeNow();
        })));
  }

  @Test
  @DisplayName("the more specific pattern wins; a malformed announcement is refused and counted, changing nothing")
  void specificityAndMalformed(Vertx vertx, VertxTestContext testContext) {
    RouteDirectory directory = new RouteDirectory(vertx);
    directory.start()
        .compose(v -> new RouteAnnouncer(vertx, "a").announce(List.of(Route.http("/api/rooms/:room", "room"),
            Route.http("/api/rooms/stats", "stats"))))
        .compose(v -> {
          vertx.eventBus().publish(Addresses.ROUTES_ANNOUNCE, new JsonObject().put("node", "n").put("source", "s")
              .put("routes", new io.vertx.core.json.JsonArray().add(new JsonObject().put("kind", "websocket").put("pattern", "no-slash").put("consumer", "x"))));
          return settle(vertx, directory);
        })
        .onComplete(testContext.succeeding(v -> testContext.verify(() -> {
          assertEquals("stats", directory.match(Route.Kind.HTTP, "/api/rooms/stats").orElseThrow().consumer());
          assertEquals("room", directory.match(Route.Kind.HTTP, "/api/rooms/lobby").orElseThrow().consumer());
          double refused = SwitchboardMetrics.registry(vertx).get(MetricNames.ROUTE_ANNOUNCEMENTS_REFUSED).counter().count();
          assertEquals(1.0, refused);
          testContext.completeNow();
        })));
  }

  @Test
  @DisplayName("a more specific pattern from another source that would take a room of another consumer's route is a conflict and not served; a source's own refinement is")
  void shadowingIsAConflict(Vertx vertx, VertxTestContext testContext) {
    RouteDirectory directory = new RouteDirectory(vertx);
    directory.start()
        .compose(v -> new RouteAnnouncer(vertx, "app").announce(List.of(Route.websocket("/ws/chat/:room", "chat"),
            Route.http("/api/rooms/:room", "room"), Route.http("/api/rooms/stats", "stats"))))
        .compose(v -> new RouteAnnouncer(vertx, "app-upgraded").announce(List.of(Route.websocket("/ws/chat/:room", "chat"),
            Route.websocket("/ws/chat/admin", "chat-admin"))))
        .compose(v -> new RouteAnnouncer(vertx, "rogue").announce(List.of(Route.websocket("/ws/chat/lobby", "rogue"),
            Route.websocket("/ws/rogue/:x", "rogue"))))
        .compose(v -> settle(vertx, directory))
        .onComplete(testContext.succeeding(v -> testContext.verify(() -> {
          assertEquals("chat", directory.match(Route.Kind.WEBSOCKET, "/ws/chat/lobby").orElseThrow().consumer(),
              "the room stays with the consumer of /ws/chat/:room");
          assertEquals("rogue", directory.match(Route.Kind.WEBSOCKET, "/ws/rogue/1").orElseThrow().consumer());
          assertEquals("chat-admin", directory.match(Route.Kind.WEBSOCKET, "/ws/chat/admin").orElseThrow().consumer(),
              "its source serves /ws/chat/:room for chat as well");
          assertEquals("stats", directory.match(Route.Kind.HTTP, "/api/rooms/stats").orElseThrow().consumer());
          io.vertx.core.json.JsonArray conflicts = directory.toJson().getJsonArray("conflicts");
          assertEquals(1, conflicts.size(), conflicts.encode());
          assertEquals("websocket /ws/chat/lobby", conflicts.getJsonObject(0).getString("route"));
          assertEquals(List.of("chat", "rogue"), conflicts.getJsonObject(0).getJsonArray("consumers").getList());
          testContext.completeNow();
        })));
  }
}

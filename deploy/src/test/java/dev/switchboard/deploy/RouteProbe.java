package dev.switchboard.deploy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;

/** Asks a gateway whether it serves a WebSocket path: the status of an upgrade attempt (101 when it opened). */
final class RouteProbe {

  private RouteProbe() {
  }

  static Future<Integer> upgradeStatus(Vertx vertx, int port, String path) {
    WebSocketClient client = vertx.createWebSocketClient();
    return client.connect(port, "127.0.0.1", path)
        .compose(ws -> ws.close().map(101))
        .recover(err -> err instanceof UpgradeRejectedException rejected
            ? Future.succeededFuture(rejected.getStatus()) : Future.failedFuture(err))
        .eventually(client::close);
  }
}

package dev.switchboard.deploy;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import java.util.ArrayList;
import java.util.List;

/** A WebSocket test client that records every text frame and lets a test wait for the first n of them. */
final class RoomClient {

  final List<String> received = new ArrayList<>();
  private final List<Waiter> waiters = new ArrayList<>();
  private WebSocket socket;
  private WebSocketClient client;
  private final Promise<Short> closed = Promise.promise();

  private record Waiter(int count, Promise<List<String>> promise) {
  }

  static Future<RoomClient> connect(Vertx vertx, int port, String path) {
    RoomClient client = new RoomClient();
    WebSocketClient ws = vertx.createWebSocketClient();
    client.client = ws;
    return ws.connect(port, "127.0.0.1", path).map(socket -> {
      client.socket = socket;
      socket.textMessageHandler(client::onText);
      socket.closeHandler(v -> client.closed.tryComplete(socket.closeStatusCode()));
      return client;
    });
  }

  Future<Void> send(String text) {
    return socket.writeTextMessage(text);
  }

  /**
   * Completes with the first {@code count} frames once that many have arrived. May be called from any
   * thread while frames arrive on an event loop.
   */
  Future<List<String>> first(int count) {
    Promise<List<String>> promise = Promise.promise();
    synchronized (this) {
      waiters.add(new Waiter(count, promise));
    }
    check();
    return promise.future();
  }

  /** Closes the socket and its client at once (no 30 s grace period for the test's Vert.x to wait out). */
  Future<Void> close() {
    return client.shutdown(0, java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  Future<Short> closed() {
    return closed.future();
  }

  boolean isClosed() {
    return socket.isClosed();
  }

  private void onText(String text) {
    synchronized (this) {
      received.add(text);
    }
    check();
  }

  /**
   * Takes the satisfied waiters out under the lock, then completes them outside it: a completion runs the
   * test's next step at once, which may call {@link #first} (and so this method) again.
   */
  private void check() {
    List<Runnable> completions = new ArrayList<>();
    synchronized (this) {
      waiters.removeIf(waiter -> {
        if (received.size() >= waiter.count) {
          List<String> frames = List.copyOf(received.subList(0, waiter.count));
          completions.add(() -> waiter.promise.complete(frames));
          return true;
        }
        return false;
      });
    }
    completions.forEach(Runnable::run);
  }
}

package dev.switchboard.testkit;

import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Channels' {@code WebsocketCommunicator} over a real socket: {@link #connect()}, {@link #sendText},
 * {@link #receiveText()}, {@link #disconnect()}. Blocking; call it from the test thread. Frames are kept in arrival
 * order in a bounded queue ({@value #MAX_QUEUED} frames: a test that reads none of a flood fails rather than buffering
 * without limit).
 *
 * <p>Vert.x closes a client once nothing references it, and with it its sockets. A communicator holds its own client
 * until {@link #disconnect()}, and its open socket's handlers hold the communicator, so the socket stays open even
 * if the test keeps no reference to it. A test's own Vert.x clients need the same: keep them in fields.
 */
public final class WebsocketCommunicator {

  /** The default wait of {@link #connect()} and {@link #receiveText()}. */
  public static final Duration TIMEOUT = Duration.ofSeconds(10);
  static final int MAX_QUEUED = 10_000;

  private final Vertx vertx;
  private final int port;
  private final String path;
  private final BlockingQueue<String> texts = new ArrayBlockingQueue<>(MAX_QUEUED);
  private final CompletableFuture<Integer> closed = new CompletableFuture<>();
  private WebSocketClient client;   // a field: Vert.x closes an unreachable client (and its socket)
  private WebSocket socket;
  private volatile boolean overflowed;
  private int rejectedStatus;

  public WebsocketCommunicator(Vertx vertx, int port, String path) {
    this.vertx = vertx;
    this.port = port;
    this.path = path;
  }

  /** Opens the socket; true when the server accepted it, false when it refused the handshake (see {@link #rejectedStatus()}). */
  public boolean connect() {
    return connect(TIMEOUT);
  }

  public boolean connect(Duration timeout) {
    client = vertx.createWebSocketClient();
    try {
      // handlers are set in the connect Future's own callback, on the event loop, before it reads another frame:
      // set from the test thread after await() they would miss what the server sends right away (a greeting)
      socket = client.connect(new WebSocketConnectOptions().setPort(port).setHost("127.0.0.1").setURI(path)
              .setTimeout(timeout.toMillis()))
          .andThen(connected -> {
            if (connected.succeeded()) {
              listen(connected.result());
            }
          })
          .await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (UpgradeRejectedException refused) {
      rejectedStatus = refused.getStatus();
      return false;
    } catch (Exception e) {
      throw new AssertionError("WebSocket " + path + " did not connect: " + e, e);
    }
    return true;
  }

  // the handlers reference this communicator, which holds the client: the client lives as long as the socket
  private void listen(WebSocket opened) {
    opened.textMessageHandler(text -> {
      if (!texts.offer(text)) {
        overflowed = true;
      }
    });
    opened.closeHandler(v -> closed.complete(opened.closeStatusCode() == null ? 1006 : (int) opened.closeStatusCode()));
  }

  /** The HTTP status of a refused handshake (403, 404, ...), 0 otherwise. */
  public int rejectedStatus() {
    return rejectedStatus;
  }

  public void sendText(String text) {
    requireOpen().writeTextMessage(text).await();
  }

  /** The next text frame, waiting up to {@link #TIMEOUT}; an AssertionError when none arrives. */
  public String receiveText() {
    return receiveText(TIMEOUT);
  }

  public String receiveText(Duration timeout) {
    if (overflowed) {
      throw new AssertionError("more than " + MAX_QUEUED + " unread frames on " + path);
    }
    try {
      String text = texts.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (text == null) {
        throw new AssertionError("no text frame on " + path + " within " + timeout.toMillis() + " ms");
      }
      return text;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted waiting on " + path, e);
    }
  }

  /** The close code once the server closed the socket, waiting up to {@code timeout}. */
  public int awaitClose(Duration timeout) {
    try {
      return closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("socket " + path + " not closed within " + timeout.toMillis() + " ms", e);
    }
  }

  /** Closes the socket (normal closure) and the client. */
  public void disconnect() {
    try {
      if (socket != null && !socket.isClosed()) {
        socket.close().await();
      }
    } catch (Exception ignored) {
      // already closed by the server: nothing to do
    } finally {
      if (client != null) {
        client.close();
      }
    }
  }

  private WebSocket requireOpen() {
    if (socket == null) {
      throw new IllegalStateException("connect() first");
    }
    return socket;
  }
}

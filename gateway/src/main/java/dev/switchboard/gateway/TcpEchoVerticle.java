package dev.switchboard.gateway;

import dev.switchboard.shared.config.SwitchboardConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TCP echo server: every byte received comes back, ASCII letters upper-cased, until the client
 * closes. When the client reads slower than it writes, the socket's write queue fills, reading pauses
 * until it drains, and TCP flow control pushes back on the client: memory per connection stays bounded.
 */
public class TcpEchoVerticle extends VerticleBase {

  /** Bytes queued for one client before reading from it pauses. */
  static final int WRITE_QUEUE_BYTES = 64 * 1024;
  private static final Logger log = LoggerFactory.getLogger(TcpEchoVerticle.class);

  private NetServer server;

  @Override
  public Future<?> start() {
    SwitchboardConfig config = SwitchboardConfig.fromJson(config());
    server = vertx.createNetServer().connectHandler(TcpEchoVerticle::echo);
    return server.listen(config.tcpEchoPort(), config.http().host())
        .onSuccess(s -> log.debug("tcp echo listening on {}", s.actualPort()));
  }

  public int actualPort() {
    return server.actualPort();
  }

  private static void echo(NetSocket socket) {
    socket.setWriteQueueMaxSize(WRITE_QUEUE_BYTES);
    socket.drainHandler(v -> socket.resume());
    socket.handler(data -> {
      socket.write(upperCaseAscii(data));
      if (socket.writeQueueFull()) {
        socket.pause();
      }
    });
    socket.exceptionHandler(err -> socket.close());
  }

  static Buffer upperCaseAscii(Buffer data) {
    byte[] bytes = data.getBytes();
    for (int i = 0; i < bytes.length; i++) {
      byte b = bytes[i];
      if (b >= 'a' && b <= 'z') {
        bytes[i] = (byte) (b - 32);
      }
    }
    return Buffer.buffer(bytes);
  }
}

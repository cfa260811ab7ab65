package dev.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
@DisplayName("The TCP echo server")
class TcpEchoVerticleTest {

  private TcpEchoVerticle echo;
  // a field: Vert.x closes an unreachable client (a Cleaner), and with it the sockets and requests using it
  private NetClient net;

  @BeforeEach
  void deploy(Vertx vertx, VertxTestContext testContext) {
    echo = new TcpEchoVerticle();
    net = vertx.createNetClient();
    JsonObject config = new JsonObject().put("tcpEcho", new JsonObject().put("port", 0))
        .put("http", new JsonObject().put("host", "127.0.0.1"));
    vertx.deployVerticle(echo, new DeploymentOptions().setConfig(config))
        .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  @DisplayName("streams back every byte, ASCII letters upper-cased, until the client closes")
  void echoesUpperCased(Vertx vertx, VertxTestContext testContext) {
    byte[] sent = new byte[256 * 1024];
    for (int i = 0; i < sent.length; i++) {
      sent[i] = (byte) i;
    }
    Buffer expected = TcpEchoVerticle.upperCaseAscii(Buffer.buffer(sent));
    Buffer received = Buffer.buffer();
    net.connect(echo.actualPort(), "127.0.0.1").onComplete(testContext.succeeding(socket -> {
      socket.handler(data -> {
        received.appendBuffer(data);
        if (received.length() == sent.length) {
          testContext.verify(() -> {
            assertEquals(expected, received);
            assertEquals('A', TcpEchoVerticle.upperCaseAscii(Buffer.buffer("a")).getByte(0));
            assertEquals((byte) 0xE9, received.getByte(0xE9), "non-ASCII bytes pass unchanged");
          });
          socket.close().onComplete(testContext.succeedingThenComplete());
        }
      });
      socket.write(Buffer.buffer(sent));
    }));
  }

  @Test
  @DisplayName("a client that writes megabytes without reading is pushed back instead of growing the server's heap")
  void pushesBackOnSlowReader(Vertx vertx, VertxTestContext testContext) {
    long limit = 64L * 1024 * 1024;
    Buffer chunk = Buffer.buffer(new byte[64 * 1024]);
    net.connect(echo.actualPort(), "127.0.0.1").onComplete(testContext.succeeding(socket -> {
      socket.pause(); // a client that never reads
      long[] written = {0};
      Runnable[] pump = new Runnable[1];
      pump[0] = () -> {
        while (!socket.writeQueueFull() && written[0] < limit) {
          socket.write(chunk);
          written[0] += chunk.length();
        }
        socket.drainHandler(v -> pump[0].run());
      };
      pump[0].run();
      // Once writing makes no progress for a while, the server has stopped reading: TCP pushes back.
      long[] lastSeen = {-1};
      vertx.setPeriodic(500, timer -> {
        if (written[0] != lastSeen[0] && written[0] < limit) {
          lastSeen[0] = written[0];
          return;
        }
        vertx.cancelTimer(timer);
        testContext.verify(() -> assertTrue(written[0] < limit,
            "the client wrote all " + written[0] + " bytes: the server buffered them instead of pushing back"));
        socket.drainHandler(null);
        readAll(socket, written[0], testContext);
      });
    }));
  }

  /** Resumes reading and completes the test once every written byte came back. */
  private static void readAll(NetSocket socket, long expected, VertxTestContext testContext) {
    long[] received = {0};
    socket.handler(buffer -> {
      received[0] += buffer.length();
      if (received[0] == expected) {
        socket.close().onComplete(testContext.succeedingThenComplete());
      }
    });
    socket.resume();
  }
}

package dev.switchboard.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.api.protocol.AsgiHttp;
import dev.switchboard.gateway.GatewayVerticle;
import dev.switchboard.shared.channels.ChannelLayerVerticle;
import dev.switchboard.shared.protocol.Addresses;
import dev.switchboard.shared.routes.Route;
import dev.switchboard.shared.routes.RouteAnnouncer;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Upload backpressure through the HTTP relay: the gateway hands a request body to its consumer one part at a time
 * (each answered by the consumer) and pauses the uploading client meanwhile, so a consumer that takes no part holds
 * the uploader back instead of the gateway buffering the body. The consumer here speaks the protocol on the event
 * bus itself (as a bridge consumer would), so it can leave a part unanswered.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 90, timeUnit = TimeUnit.SECONDS)
@DisplayName("HTTP relay upload backpressure: a consumer that takes no body part stalls the uploading client")
class HttpUploadBackpressureTest {

  private static final int PART = 64 * 1024;
  private static final long TOTAL = 64L * 1024 * 1024;
  private static final String INSTANCE = "test.upload-sink.instance";

  private int port;
  // a field: Vert.x closes an unreachable client (a Cleaner), and with it the sockets using it
  private NetClient net;
  /** Body bytes the client has handed to its socket, and those the consumer has received. */
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong received = new AtomicLong();
  /** Parts the consumer has not answered yet; once {@link #taking} is true, it answers each at once. */
  private final List<Message<JsonObject>> held = new ArrayList<>();
  private volatile boolean taking;
  /** Where the relayed request's response goes, and its id (from the scope). */
  private String reply;
  private String requestId;

  @BeforeEach
  void deploy(Vertx vertx, VertxTestContext testContext) {
    JsonObject config = new JsonObject().put("http", new JsonObject().put("port", 0).put("host", "127.0.0.1")
        .put("instances", 1).put("maxBodySize", TOTAL).put("relayTimeoutMs", 60_000));
    DeploymentOptions options = new DeploymentOptions().setConfig(config);
    GatewayVerticle gateway = GatewayVerticle.standalone();
    net = vertx.createNetClient();
    // the first part comes with the scope, on the consumer's shared address: accepted at once, naming the instance
    vertx.eventBus().<JsonObject>consumer(Addresses.consumer("upload-sink"), message -> {
      count(message.body());
      reply = message.body().getString(AsgiHttp.REPLY);
      requestId = message.body().getString(AsgiHttp.REQUEST_ID);
      message.reply(new JsonObject().put("type", AsgiHttp.ACCEPT).put("instance", INSTANCE));
    });
    // further parts come to the instance: held unanswered until the test lets the consumer take them
    vertx.eventBus().<JsonObject>consumer(INSTANCE, message -> {
      if (!AsgiHttp.REQUEST.equals(message.body().getString("type"))) {
        return;
      }
      count(message.body());
      if (taking) {
        message.reply(null);
      } else {
        held.add(message);
      }
      if (!message.body().getBoolean(AsgiHttp.MORE_BODY, false)) {
        respond(vertx);
      }
    });
    vertx.deployVerticle(ChannelLayerVerticle.standalone(), options)
        .compose(v -> new RouteAnnouncer(vertx, "test").announce(List.of(Route.http("/upload", "upload-sink"))))
        .compose(v -> vertx.deployVerticle(gateway, options))
        .onSuccess(v -> port = gateway.actualPort())
        .onComplete(testContext.succeedingThenComplete());
  }

  private void count(JsonObject event) {
    if (event.containsKey(AsgiHttp.BODY)) {
      received.addAndGet(event.getBuffer(AsgiHttp.BODY).length());
    }
  }

  /** The whole body is in: answers 200 with the byte count. */
  private void respond(Vertx vertx) {
    vertx.eventBus().send(reply, new JsonObject().put("type", AsgiHttp.RESPONSE_START).put(AsgiHttp.REQUEST_ID, requestId)
        .put(AsgiHttp.STATUS, 200).put(AsgiHttp.HEADERS, new JsonObject().put("content-type", "text/plain")));
    vertx.eventBus().request(reply, new JsonObject().put("type", AsgiHttp.RESPONSE_BODY).put(AsgiHttp.REQUEST_ID, requestId)
        .put(AsgiHttp.BODY, Buffer.buffer("received=" + received.get())).put(AsgiHttp.MORE_BODY, false));
  }

  @Test
  @DisplayName("the client's writes stall with at most two parts at the consumer and the rest of 64 MiB unsent; once the consumer takes parts, the whole body arrives and is answered")
  void slowConsumerHoldsTheUploaderBack(Vertx vertx, VertxTestContext testContext) {
    net.connect(port, "127.0.0.1").onComplete(testContext.succeeding(socket -> {
      Buffer response = Buffer.buffer();
      socket.handler(response::appendBuffer);
      socket.write("POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\n"
          + "Transfer-Encoding: chunked\r\n\r\n");
      upload(socket);
      stalled(vertx, sent::get, -1, 0).onComplete(testContext.succeeding(sentAtStall -> {
        long receivedAtStall = received.get();
        System.out.printf("a consumer that takes no part held the uploader at %d of %d bytes sent; it had %d%n",
            sentAtStall, TOTAL, receivedAtStall);
        testContext.verify(() -> {
          assertTrue(receivedAtStall <= 2L * PART, "the consumer got " + receivedAtStall + " bytes: more than the accepted part and the one in flight");
          assertTrue(sentAtStall < TOTAL / 2, "the gateway kept reading from the client while the consumer took nothing: "
              + sentAtStall + " of " + TOTAL + " bytes sent (buffered by the gateway)");
        });
        taking = true;
        held.forEach(message -> message.reply(null));
        held.clear();
        awaitText(vertx, response, "received=" + TOTAL).onComplete(testContext.succeeding(v -> testContext.verify(() -> {
          assertTrue(response.toString().startsWith("HTTP/1.1 200"), response.toString());
          testContext.completeNow();
        })));
      }));
    }));
  }

  /** Writes the body in chunks of {@link #PART} as fast as the socket takes them (drain handler), then ends it. */
  private void upload(NetSocket socket) {
    while (sent.get() < TOTAL) {
      if (socket.writeQueueFull()) {
        socket.drainHandler(v -> upload(socket));
        return;
      }
      socket.write(Buffer.buffer(Integer.toHexString(PART) + "\r\n").appendBuffer(Buffer.buffer(new byte[PART])).appendString("\r\n"));
      sent.addAndGet(PART);
    }
    socket.write("0\r\n\r\n");
  }

  /** Waits until {@code count} stops moving (the same on five checks 100 ms apart). */
  private static Future<Long> stalled(Vertx vertx, LongSupplier count, long last, int sameFor) {
    return vertx.timer(100).compose(t -> {
      long now = count.getAsLong();
      if (now == last && now > 0 && sameFor >= 4) {
        return Future.succeededFuture(now);
      }
      return stalled(vertx, count, now, now == last ? sameFor + 1 : 0);
    });
  }

  private static Future<Void> awaitText(Vertx vertx, Buffer response, String text) {
    Promise<Void> seen = Promise.promise();
    vertx.setPeriodic(100, timer -> {
      if (response.toString().contains(text)) {
        vertx.cancelTimer(timer);
        seen.tryComplete();
      }
    });
    return seen.future();
  }
}

package dev.switchboard.gateway;

import dev.switchboard.api.protocol.AsgiHttp;
import dev.switchboard.shared.channels.Outbox;
import dev.switchboard.shared.protocol.Addresses;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One HTTP request relayed to a consumer, both ways with backpressure. Upload: the body goes in parts of at most
 * {@link #PART_BYTES}, one in flight at a time (each answered by the consumer), the client paused meanwhile; over
 * {@code http.maxBodySize} in all → 413. Download: each {@code http.response.body} is answered once written to the
 * client, so the consumer never runs ahead of it. No consumer instance → 503; no response started within
 * {@code http.relayTimeoutMs} → 504. The request's id is also a channel of this node ({@link Outbox}): group
 * messages for it go on to the consumer instance (Server-sent events), bounded by
 * {@code websocket.outboundQueueBytes}; a client that lets them pile up has its response ended. Runs on its gateway
 * instance's event loop.
 */
final class RelayedRequest implements Outbox {

  static final int PART_BYTES = 64 * 1024;
  /** Headers that describe one hop, never relayed from a consumer's response. */
  private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "transfer-encoding", "upgrade",
      "proxy-connection", "te", "trailer");

  private final HttpRelay relay;
  private final Vertx vertx;
  private final RoutingContext rc;
  private final HttpServerRequest request;
  private final HttpServerResponse response;
  private final String id;
  private final RouteMatch match;
  private final String user;
  private final ArrayDeque<Buffer> pending = new ArrayDeque<>();
  private final AtomicLong queuedBytes = new AtomicLong();
  private final int maxBodyBytes;
  private Context context;
  private long receivedBytes;
  private boolean requestEnded;
  private boolean firstSent;
  private boolean lastSent;
  private boolean inFlight;
  private String instance;
  private boolean started;
  private volatile boolean finished;
  private long timer = -1;

  @Override
  public String consumerAddress() {
    return Addresses.consumer(match.consumer());
  }

  RelayedRequest(HttpRelay relay, RoutingContext rc, String id, RouteMatch match, String user) {
    this.relay = relay;
    this.vertx = relay.vertx();
    this.rc = rc;
    this.request = rc.request();
    this.response = rc.response();
    this.id = id;
    this.match = match;
    this.user = user;
    this.maxBodyBytes = relay.config().http().maxBodySize();
  }

  void begin() {
    context = vertx.getOrCreateContext();
    relay.channels().open(id, this);
    response.closeHandler(v -> clientGone());
    timer = vertx.setTimer(relay.config().http().relayTimeoutMs(), t -> timedOut());
    if (request.isEnded()) {
      requestEnded = true;
    } else {
      pauseClient();
      request.handler(this::onData);
      request.endHandler(v -> {
        requestEnded = true;
        pump();
      });
      request.exceptionHandler(err -> clientGone());
    }
    pump();
  }

  private void onData(Buffer data) {
    if (finished) {
      return;
    }
    receivedBytes += data.length();
    if (receivedBytes > maxBodyBytes) {
      fail(413, "body_too_large", "request body over " + maxBodyBytes + " bytes");
      return;
    }
    pending.add(data);
    pump();
  }

  /** Sends what can go now; keeps the client paused while a part is in flight or waiting. */
  private void pump() {
    if (finished || lastSent) {
      return;
    }
    int buffered = pending.stream().mapToInt(Buffer::length).sum();
    boolean ready = requestEnded || buffered >= PART_BYTES;
    if (!firstSent) {
      if (ready) {
        sendFirst();
      } else {
        resumeClient();
      }
      return;
    }
    if (inFlight || instance == null) {
      pauseClient();
      return;
    }
    if (!ready && buffered == 0) {
      resumeClient();
      return;
    }
    Buffer part = nextPart();
    boolean more = !(requestEnded && pending.isEmpty());
    lastSent = !more;
    inFlight = true;
    pauseClient();
    JsonObject event = new JsonObject().put("type", AsgiHttp.REQUEST).put(AsgiHttp.REQUEST_ID, id)
        .put(AsgiHttp.BODY, part).put(AsgiHttp.MORE_BODY, more);
    vertx.eventBus().request(instance, event, new DeliveryOptions().setSendTimeout(relay.config().http().relayTimeoutMs()))
        .onComplete(result -> {
          inFlight = false;
          if (result.failed()) {
            fail(502, "consumer_failed", "consumer " + match.consumer() + " stopped taking the request body");
          } else {
            pump();
          }
        });
  }

  private Buffer nextPart() {
    Buffer part = Buffer.buffer();
    while (!pending.isEmpty() && part.length() + pending.peek().length() <= PART_BYTES) {
      part.appendBuffer(pending.poll());
    }
    if (part.length() == 0 && !pending.isEmpty()) {
      Buffer big = pending.poll();
      part.appendBuffer(big.getBuffer(0, PART_BYTES));
      pending.addFirst(big.getBuffer(PART_BYTES, big.length()));
    }
    return part;
  }

  /**
   * Flow control on the client's body, only while there is body left: once a request has ended (always so for an
   * HTTP/2 request whose body arrived with its headers, as with an h2c upgrade) Vert.x refuses pause and resume with
   * an IllegalStateException, which would leave the relay without an answer.
   */
  private void pauseClient() {
    if (!requestEnded && !request.isEnded()) {
      request.pause();
    }
  }

  private void resumeClient() {
    if (!requestEnded && !request.isEnded()) {
      request.resume();
    }
  }

  private void sendFirst() {
    firstSent = true;
    pauseClient();
    Buffer part = nextPart();
    boolean more = !(requestEnded && pending.isEmpty());
    lastSent = !more;
    JsonObject event = scope().put(AsgiHttp.BODY, part).put(AsgiHttp.MORE_BODY, more);
    long deadline = System.currentTimeMillis() + Math.min(relay.config().websocket().connectTimeoutMs(),
        relay.config().http().relayTimeoutMs());
    ConsumerRequests.request(vertx, Addresses.consumer(match.consumer()), event, deadline, match.registeredBy())
        .onSuccess(reply -> {
          instance = reply.body() == null ? null : reply.body().getString("instance");
          if (instance == null) {
            fail(502, "consumer_failed", "consumer " + match.consumer() + " accepted without naming its instance");
          } else {
            pump();
          }
        })
        .onFailure(err -> {
          int code = ConsumerRequests.failureCode(err);
          if (ConsumerRequests.isNoHandlers(err)) {
            fail(503, "no_consumer", "no instance of consumer " + match.consumer() + " is serving " + match.pattern());
          } else if (ConsumerRequests.isTimeout(err)) {
            fail(504, "timeout", "consumer " + match.consumer() + " did not take the request in time");
          } else {
            fail(code >= 400 && code <= 599 ? code : 502, "consumer_failed", err.getMessage());
          }
        });
  }

  /** ASGI's HTTP scope: the route's parameters, the headers without the token, the authenticated user. */
  private JsonObject scope() {
    JsonObject headers = new JsonObject();
    request.headers().forEach(header -> {
      String name = header.getKey().toLowerCase(Locale.ROOT);
      Object existing = headers.getValue(name);
      if (existing == null) {
        headers.put(name, header.getValue());
      } else if (existing instanceof JsonArray values) {
        values.add(header.getValue());
      } else {
        headers.put(name, new JsonArray().add(existing).add(header.getValue()));
      }
    });
    headers.remove("authorization");
    return new JsonObject()
        .put("type", AsgiHttp.REQUEST)
        .put(AsgiHttp.REQUEST_ID, id)
        .put(AsgiHttp.REPLY, relay.inbox())
        .put("channel", id)
        .put("method", request.method().name())
        .put("path", request.path())
        .put("query", QueryToken.parse(request.query()).rest())
        .put("params", match.params())
        .put("headers", headers)
        .put("user", user);
  }

  void responseStart(JsonObject event) {
    if (started || finished) {
      return;
    }
    int status = event.getValue(AsgiHttp.STATUS) instanceof Integer code && code >= 100 && code <= 599 ? code : -1;
    if (status < 0) {
      fail(502, "consumer_failed", "consumer " + match.consumer() + " sent an invalid status: " + event.getValue(AsgiHttp.STATUS));
      return;
    }
    started = true;
    vertx.cancelTimer(timer);
    response.setStatusCode(status);
    JsonObject headers = event.getJsonObject(AsgiHttp.HEADERS, new JsonObject());
    headers.forEach(header -> {
      String name = header.getKey().toLowerCase(Locale.ROOT);
      if (HOP_BY_HOP.contains(name)) {
        return;
      }
      if (header.getValue() instanceof JsonArray values) {
        values.forEach(value -> response.headers().add(name, String.valueOf(value)));
      } else if (header.getValue() != null) {
        response.headers().add(name, String.valueOf(header.getValue()));
      }
    });
  }

  void responseBody(JsonObject event, Message<JsonObject> message) {
    if (!started || finished) {
      if (message.replyAddress() != null) {
        message.fail(409, started ? "the response has ended" : "http.response.start must come first");
      }
      return;
    }
    Buffer body = event.containsKey(AsgiHttp.BODY) ? event.getBuffer(AsgiHttp.BODY) : Buffer.buffer();
    if (!event.getBoolean(AsgiHttp.MORE_BODY, false)) {
      finish();
      response.end(body).onComplete(done -> ack(message, done.succeeded()));
      return;
    }
    if (!response.headWritten() && !response.headers().contains("content-length")) {
      response.setChunked(true);
    }
    if (body.length() == 0) {
      if (!response.headWritten()) {
        response.writeHead(); // a stream's headers go out at once (Server-sent events)
      }
      ack(message, true);
      return;
    }
    response.write(body).onComplete(done -> ack(message, done.succeeded()));
  }

  private static void ack(Message<JsonObject> message, boolean written) {
    if (message.replyAddress() == null) {
      return;
    }
    if (written) {
      message.reply(null);
    } else {
      message.fail(410, "the client has gone");
    }
  }

  /** Called by the channel layer's fan-out, from any thread: the message goes on to the consumer instance. */
  @Override
  public Result offer(JsonObject event) {
    if (finished) {
      return Result.CLOSED;
    }
    long weight = 64 + event.encode().length();
    long limit = relay.config().websocket().outboundQueueBytes();
    if (queuedBytes.addAndGet(weight) > limit) {
      queuedBytes.addAndGet(-weight);
      context.runOnContext(v -> tooSlow());
      return Result.TOO_SLOW;
    }
    context.runOnContext(v -> {
      queuedBytes.addAndGet(-weight);
      if (!finished && instance != null) {
        vertx.eventBus().send(instance, event.copy().put("channel", id).put(AsgiHttp.REQUEST_ID, id));
      }
    });
    return Result.DELIVERED;
  }

  private void tooSlow() {
    if (!finished) {
      relay.failed("client_too_slow");
      disconnectConsumer();
      finish();
      response.reset();
    }
  }

  private void timedOut() {
    if (!started && !finished) {
      disconnectConsumer();
      fail(504, "timeout", "consumer " + match.consumer() + " sent no response within "
          + relay.config().http().relayTimeoutMs() + " ms");
    }
  }

  private void clientGone() {
    if (!finished) {
      relay.failed("client_gone");
      disconnectConsumer();
      finish();
    }
  }

  /** The gateway is stopping. */
  void abort(String why) {
    if (!finished) {
      disconnectConsumer();
      fail(503, "consumer_failed", why);
    }
  }

  private void disconnectConsumer() {
    if (instance != null) {
      vertx.eventBus().send(instance, new JsonObject().put("type", AsgiHttp.DISCONNECT).put(AsgiHttp.REQUEST_ID, id));
    }
  }

  private void fail(int status, String reason, String message) {
    if (finished) {
      return;
    }
    relay.failed(reason);
    if (instance != null && !lastSent || status == 413) {
      disconnectConsumer();
    }
    finish();
    if (response.headWritten()) {
      response.reset();
    } else {
      resumeClient(); // let the rest of the body drain so the error can be read
      rc.fail(status, new RelayException(message));
    }
  }

  private void finish() {
    finished = true;
    vertx.cancelTimer(timer);
    relay.channels().close(id);
    relay.ended(id);
  }

  /** A relay failure with a message for the client (rendered by {@link ApiErrors}). */
  static final class RelayException extends RuntimeException {
    RelayException(String message) {
      super(message, null, false, false);
    }
  }
}

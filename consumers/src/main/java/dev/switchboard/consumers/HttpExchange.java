package dev.switchboard.consumers;

import dev.switchboard.api.AppEnvironment;
import dev.switchboard.api.http.HttpConsumer;
import dev.switchboard.api.http.HttpConsumerDriver;
import dev.switchboard.api.http.HttpRequest;
import dev.switchboard.api.http.HttpResponder;
import dev.switchboard.api.protocol.AsgiHttp;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One HTTP exchange on a consumer instance: collects the request body (bounded by {@code http.maxBodySize}), hands
 * the request to its consumer, and carries the consumer's response events to the gateway. Hooks run one after
 * another, like a WebSocket consumer's; the backlog of group messages waiting for the consumer is bounded
 * ({@link #MAX_BACKLOG}: beyond, the response is ended), and so are the body parts sent but not yet written to the
 * client ({@link #MAX_UNACKED}: beyond, {@code sendBody} fails: the client is too slow).
 */
final class HttpExchange implements HttpResponder {

  static final int MAX_BACKLOG = 1024;
  static final int MAX_UNACKED = 64;
  /** How long the gateway may take to write one part to its client before the exchange is given up. */
  private static final DeliveryOptions BODY_DELIVERY = new DeliveryOptions().setSendTimeout(30_000);

  private final Vertx vertx;
  private final String consumerName;
  private final HttpConsumer consumer;
  private final JsonObject scope;
  private final AppEnvironment environment;
  private final int maxBodyBytes;
  private final Runnable onEnd;
  private final String id;
  private final String reply;
  private Buffer body = Buffer.buffer();
  private Future<Void> tail = Future.succeededFuture();
  private int backlog;
  private int unacked;
  private boolean requestComplete;
  private boolean started;
  private boolean ended;

  HttpExchange(Vertx vertx, String consumerName, HttpConsumer consumer, JsonObject scope, AppEnvironment environment,
               int maxBodyBytes, Runnable onEnd) {
    this.vertx = vertx;
    this.consumerName = consumerName;
    this.consumer = consumer;
    this.scope = scope;
    this.environment = environment;
    this.maxBodyBytes = maxBodyBytes;
    this.onEnd = onEnd;
    this.id = scope.getString(AsgiHttp.REQUEST_ID);
    this.reply = scope.getString(AsgiHttp.REPLY);
  }

  /** A part of the request body ({@code ack} null for the first, which was answered with the accept). */
  void received(JsonObject event, Message<JsonObject> ack) {
    if (ack != null) {
      ack.reply(null);
    }
    if (requestComplete || ended) {
      return;
    }
    Buffer part = event.containsKey(AsgiHttp.BODY) ? event.getBuffer(AsgiHttp.BODY) : null;
    if (part != null) {
      if (body.length() + part.length() > maxBodyBytes) {
        requestComplete = true;
        run(() -> sendError(413, "request body over " + maxBodyBytes + " bytes"));
        return;
      }
      body.appendBuffer(part);
    }
    if (!event.getBoolean(AsgiHttp.MORE_BODY, false)) {
      requestComplete = true;
      HttpRequest request = new HttpRequest(scope.getString("method"), scope.getString("path"),
          scope.getJsonObject("params", new JsonObject()), scope.getString("query", ""), scope.getJsonObject("headers", new JsonObject()),
          scope.getValue("user") instanceof String user ? user : null, body);
      body = null;
      run(() -> HttpConsumerDriver.serve(consumer, environment, this, request).transform(result -> {
        if (result.failed()) {
          HttpConsumerVerticle.log().error("HTTP consumer {} failed on {}", consumerName, request.path(), result.cause());
          return started ? endQuietly() : sendError(500, "consumer " + consumerName + " failed");
        }
        return started ? Future.succeededFuture() : sendError(500, "consumer " + consumerName + " sent no response");
      }));
    }
  }

  /** A channel-layer message for this exchange (Server-sent events: a group message to forward). */
  void groupMessage(JsonObject event) {
    if (ended) {
      return;
    }
    if (backlog >= MAX_BACKLOG) {
      HttpConsumerVerticle.log().warn("HTTP consumer {} is {} messages behind on {}: ending the response", consumerName, backlog, id);
      endQuietly();
      return;
    }
    run(() -> HttpConsumerDriver.deliver(consumer, event));
  }

  /** The client went away (or the gateway gave up): the consumer hears it, nothing more is sent. */
  void clientGone() {
    if (!ended) {
      finish();
      run(() -> HttpConsumerDriver.disconnected(consumer));
    }
  }

  /** The instance is stopping: end what is open. */
  void abort() {
    if (!ended) {
      if (started) {
        endQuietly();
      } else {
        sendError(503, "consumer instance stopped");
      }
    }
  }

  private void run(Supplier<Future<Void>> hook) {
    backlog++;
    tail = tail.transform(previous -> {
      Future<Void> result;
      try {
        result = hook.get();
      } catch (RuntimeException e) {
        result = Future.failedFuture(e);
      }
      return result.recover(err -> {
        HttpConsumerVerticle.log().warn("HTTP consumer {} hook failed on {}: {}", consumerName, id, err.getMessage());
        return Future.succeededFuture();
      });
    }).andThen(done -> backlog--);
  }

  private Future<Void> sendError(int status, String message) {
    if (started) {
      return endQuietly();
    }
    JsonObject error = new JsonObject().put("error", message).put("status", status);
    return start(status, Map.of("content-type", "application/json")).compose(v -> body(error.toBuffer(), false));
  }

  private Future<Void> endQuietly() {
    return ended ? Future.succeededFuture() : body(Buffer.buffer(), false).otherwiseEmpty();
  }

  private void finish() {
    ended = true;
    onEnd.run();
  }

  @Override
  public Future<Void> start(int status, Map<String, String> headers) {
    if (started || ended) {
      return Future.failedFuture(new IllegalStateException("the response has already started"));
    }
    if (status < 100 || status > 599) {
      return Future.failedFuture(new IllegalArgumentException("HTTP status must be 100-599, got " + status));
    }
    started = true;
    JsonObject json = new JsonObject();
    headers.forEach(json::put);
    vertx.eventBus().send(reply, new JsonObject().put("type", AsgiHttp.RESPONSE_START).put(AsgiHttp.REQUEST_ID, id)
        .put(AsgiHttp.STATUS, status).put(AsgiHttp.HEADERS, json));
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> body(Buffer chunk, boolean more) {
    if (!started) {
      return Future.failedFuture(new IllegalStateException("send the headers (status) before the body"));
    }
    if (ended) {
      return Future.failedFuture(new IllegalStateException("the response has ended (or the client has gone)"));
    }
    if (unacked >= MAX_UNACKED) {
      return Future.failedFuture(new IllegalStateException("client too slow: " + MAX_UNACKED + " parts not yet written"));
    }
    if (!more) {
      finish();
    }
    unacked++;
    JsonObject event = new JsonObject().put("type", AsgiHttp.RESPONSE_BODY).put(AsgiHttp.REQUEST_ID, id)
        .put(AsgiHttp.BODY, chunk).put(AsgiHttp.MORE_BODY, more);
    return vertx.eventBus().request(reply, event, BODY_DELIVERY)
        .andThen(done -> unacked--)
        .<Void>mapEmpty()
        .onFailure(err -> {
          if (!ended) {
            finish(); // the gateway no longer has the client: stop streaming
          }
        });
  }

  @Override
  public boolean started() {
    return started;
  }

  @Override
  public String channelName() {
    return scope.getString("channel", id);
  }
}

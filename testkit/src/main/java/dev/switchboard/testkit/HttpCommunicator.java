package dev.switchboard.testkit;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Channels' {@code HttpCommunicator} over a real socket: one request, {@link #getResponse()} sends it and returns the
 * whole response; {@link #stream()} sends it and reads a response that does not end by itself (server-sent events, a
 * consumer that keeps {@code more_body} open) part by part. Blocking; call it from the test thread.
 *
 * <p>Each {@link #getResponse()} uses a client of its own, referenced until the response is read and then closed:
 * Vert.x closes a client once nothing references it, so a test's own Vert.x clients belong in fields.
 */
public final class HttpCommunicator {

  public static final Duration TIMEOUT = Duration.ofSeconds(10);

  /** A response: status, lower-cased headers, body. */
  public record Response(int status, Map<String, String> headers, String body) {

    /** The body as a JSON object. */
    public JsonObject json() {
      return new JsonObject(body);
    }
  }

  private final Vertx vertx;
  private final int port;
  private final String method;
  private final String path;
  private final Map<String, String> headers = new LinkedHashMap<>();
  private Buffer body = Buffer.buffer();

  public HttpCommunicator(Vertx vertx, int port, String method, String path) {
    this.vertx = vertx;
    this.port = port;
    this.method = method;
    this.path = path;
  }

  public HttpCommunicator header(String name, String value) {
    headers.put(name, value);
    return this;
  }

  public HttpCommunicator body(String text) {
    this.body = Buffer.buffer(text);
    return this;
  }

  public Response getResponse() {
    return getResponse(TIMEOUT);
  }

  public Response getResponse(Duration timeout) {
    // closed in finally, which also keeps it reachable until the response is read (Vert.x closes an unreachable client)
    HttpClient client = vertx.createHttpClient();
    try {
      RequestOptions options = new RequestOptions().setMethod(HttpMethod.valueOf(method)).setHost("127.0.0.1")
          .setPort(port).setURI(path).setTimeout(timeout.toMillis());
      headers.forEach(options::putHeader);
      return client.request(options)
          .compose(request -> request.send(body))
          .compose(response -> response.body().map(bytes -> {
            Map<String, String> received = new LinkedHashMap<>();
            response.headers().forEach(entry -> received.put(entry.getKey().toLowerCase(java.util.Locale.ROOT), entry.getValue()));
            return new Response(response.statusCode(), received, bytes.toString());
          }))
          .await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError(method + " " + path + " failed: " + e, e);
    } finally {
      client.close();
    }
  }

  /** Sends the request and waits for the response's status and headers; read its body with {@link Streaming#readUntil}. */
  public Streaming stream() {
    return stream(TIMEOUT);
  }

  /** As {@link #stream()}, waiting at most {@code timeout} for the status and headers. */
  public Streaming stream(Duration timeout) {
    HttpClient client = vertx.createHttpClient();
    Streaming streaming = new Streaming(client);
    try {
      RequestOptions options = new RequestOptions().setMethod(HttpMethod.valueOf(method)).setHost("127.0.0.1")
          .setPort(port).setURI(path).setIdleTimeout(0);
      headers.forEach(options::putHeader);
      return client.request(options)
          .compose(request -> request.send(body))
          .map(response -> {
            Map<String, String> received = new LinkedHashMap<>();
            response.headers().forEach(entry -> received.put(entry.getKey().toLowerCase(java.util.Locale.ROOT), entry.getValue()));
            streaming.started(response.statusCode(), received);
            response.handler(streaming.parts::add);
            response.endHandler(v -> streaming.parts.add(Streaming.END));
            response.exceptionHandler(err -> streaming.parts.add(Streaming.END));
            return streaming;
          })
          .await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      client.close();
      throw new AssertionError(method + " " + path + " failed: " + e, e);
    }
  }

  /**
   * A response read as it arrives. The body is kept in order; {@link #readUntil} takes it up to a marker, however the
   * network cut it into parts. {@link #close()} it (the connection with it) when done.
   */
  public static final class Streaming implements AutoCloseable {

    private static final Buffer END = Buffer.buffer();
    /** Referenced here until {@link #close()}: Vert.x closes a client nothing references, under its open request. */
    private final HttpClient client;
    private final LinkedBlockingQueue<Buffer> parts = new LinkedBlockingQueue<>();
    private Buffer pending = Buffer.buffer();
    private boolean ended;
    private int status;
    private Map<String, String> headers;

    private Streaming(HttpClient client) {
      this.client = client;
    }

    private void started(int status, Map<String, String> headers) {
      this.status = status;
      this.headers = headers;
    }

    public int status() {
      return status;
    }

    /** The response headers, names lower-cased. */
    public Map<String, String> headers() {
      return headers;
    }

    /** {@link #readUntil(String, Duration)} with the communicator's default timeout. */
    public String readUntil(String marker) {
      return readUntil(marker, TIMEOUT);
    }

    /**
     * The body from where the last read stopped up to and including the first {@code marker} (UTF-8 text): blocks
     * until it has arrived; fails with an AssertionError naming what arrived when the timeout passes or the response
     * ends first.
     */
    public String readUntil(String marker, Duration timeout) {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (true) {
        String text = pending.toString(StandardCharsets.UTF_8);
        int at = text.indexOf(marker);
        if (at >= 0) {
          String taken = text.substring(0, at + marker.length());
          pending = pending.getBuffer(taken.getBytes(StandardCharsets.UTF_8).length, pending.length());
          return taken;
        }
        if (ended) {
          throw new AssertionError("the response ended before \"" + marker + "\"; after the last read it sent: \"" + text + "\"");
        }
        Buffer part;
        try {
          part = parts.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted waiting for \"" + marker + "\"", e);
        }
        if (part == null) {
          throw new AssertionError("no \"" + marker + "\" within " + timeout.toMillis() + " ms; after the last read the body sent: \""
              + text + "\"");
        }
        if (part == END) {
          ended = true;
        } else {
          pending = pending.copy().appendBuffer(part);
        }
      }
    }

    /** Closes the connection: the server sees the client go away. */
    @Override
    public void close() {
      try {
        client.close().await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        throw new AssertionError("closing the streamed response failed: " + e, e);
      }
    }
  }
}

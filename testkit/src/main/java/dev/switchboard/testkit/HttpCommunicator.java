package dev.switchboard.testkit;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Channels' {@code HttpCommunicator} over a real socket: one request, {@link #getResponse()} sends it and returns the
 * whole response. Blocking; call it from the test thread.
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
}

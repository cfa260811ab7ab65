package dev.switchboard.deploy.cli;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The command line's view of a running gateway: its HTTP API and its WebSockets, with the JDK's own HTTP client (no
 * event loop to start for a one-shot command). Every failure becomes a {@link CliException} with one readable line:
 * the gateway's own error message for an API error, "cannot reach ..." when nothing answers.
 */
final class GatewayClient {

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  private final URI base;
  private final HttpClient http;

  GatewayClient(String url) {
    try {
      URI uri = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
      if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
        throw new IllegalArgumentException("expected http://HOST:PORT");
      }
      this.base = uri;
    } catch (IllegalArgumentException e) {
      throw new CliException(CliException.USAGE, "--url " + url + ": " + e.getMessage());
    }
    this.http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
  }

  JsonObject get(String path) {
    return send(HttpRequest.newBuilder(uri(path)).GET());
  }

  JsonObject post(String path, JsonObject body) {
    return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.encode())));
  }

  /** A POST without a body (an action such as pausing a queue). */
  JsonObject post(String path) {
    return send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.noBody()));
  }

  JsonObject delete(String path) {
    return send(HttpRequest.newBuilder(uri(path)).DELETE());
  }

  /** Opens {@code path} as a WebSocket on the gateway's host and port. */
  WebSocket webSocket(String path, WebSocket.Listener listener) {
    String scheme = "https".equals(base.getScheme()) ? "wss" : "ws";
    URI uri = URI.create(scheme + "://" + base.getRawAuthority() + path);
    try {
      return http.newWebSocketBuilder().connectTimeout(CONNECT_TIMEOUT).buildAsync(uri, listener).join();
    } catch (RuntimeException e) {
      throw new CliException(CliException.FAILED, "cannot watch " + uri + ": " + rootMessage(e));
    }
  }

  private URI uri(String path) {
    return URI.create(base + path);
  }

  private JsonObject send(HttpRequest.Builder request) {
    HttpRequest built = request.timeout(REQUEST_TIMEOUT).build();
    HttpResponse<String> response;
    try {
      response = http.send(built, HttpResponse.BodyHandlers.ofString());
    } catch (ConnectException e) {
      throw new CliException(CliException.FAILED, "cannot reach the gateway at " + base + ": connection refused (is it running? see --url)");
    } catch (HttpTimeoutException e) {
      throw new CliException(CliException.FAILED, "the gateway at " + base + " did not answer " + built.uri().getPath() + " in time");
    } catch (IOException e) {
      throw new CliException(CliException.FAILED, "cannot reach the gateway at " + base + ": " + rootMessage(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException(CliException.FAILED, "interrupted");
    }
    JsonObject body;
    try {
      body = response.body().isEmpty() ? new JsonObject() : new JsonObject(response.body());
    } catch (DecodeException e) {
      throw new CliException(CliException.FAILED, base + built.uri().getPath() + " answered " + response.statusCode()
          + " with something that is not JSON: is " + base + " a Switchboard gateway?");
    }
    if (response.statusCode() >= 400) {
      throw new CliException(CliException.FAILED, body.getString("error", "HTTP " + response.statusCode())
          + " (HTTP " + response.statusCode() + ")");
    }
    return body;
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }
}

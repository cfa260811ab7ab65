package com.example.quickstart;

import dev.switchboard.api.http.HttpConsumer;
import dev.switchboard.api.http.HttpRequest;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/** {@code GET /quickstart/square/{n}} → {@code {"n": n, "square": n*n}}; 400 when n is not an integer. */
public final class SquareConsumer extends HttpConsumer {

  @Override
  protected Future<Void> handle(HttpRequest request) {
    long n;
    try {
      n = Long.parseLong(request.param("n"));
    } catch (NumberFormatException e) {
      return sendJson(400, new JsonObject().put("error", "n must be an integer, got \"" + request.param("n") + "\""));
    }
    if (Math.abs(n) > 3_037_000_499L) {
      return sendJson(400, new JsonObject().put("error", "n must be at most 3037000499 in size, got " + n));
    }
    return sendJson(200, new JsonObject().put("n", n).put("square", n * n));
  }
}

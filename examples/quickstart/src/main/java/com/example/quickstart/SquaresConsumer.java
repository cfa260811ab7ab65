package com.example.quickstart;

import dev.switchboard.api.http.HttpConsumer;
import dev.switchboard.api.http.HttpRequest;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

/**
 * {@code GET /quickstart/squares/{n}} → what {@code quickstart.slow_square} recorded for n:
 * {@code {"n", "square", "requests"}}; 404 when it never ran for n, 400 when n is not an integer.
 */
public final class SquaresConsumer extends HttpConsumer {

  static final String FIND = "SELECT n, square, requests FROM quickstart_squares WHERE n = $1";

  @Override
  protected Future<Void> handle(HttpRequest request) {
    long n;
    try {
      n = Long.parseLong(request.param("n"));
    } catch (NumberFormatException e) {
      return sendJson(400, new JsonObject().put("error", "n must be an integer, got \"" + request.param("n") + "\""));
    }
    return environment().pool().orElseThrow().preparedQuery(FIND).execute(Tuple.of(n)).compose(rows -> {
      if (rows.size() == 0) {
        return sendJson(404, new JsonObject().put("error", "slow_square never ran for " + n));
      }
      Row row = rows.iterator().next();
      return sendJson(200, new JsonObject().put("n", row.getLong("n")).put("square", row.getBigDecimal("square").longValueExact())
          .put("requests", row.getLong("requests")));
    });
  }
}

package dev.switchboard.gateway;

import dev.switchboard.api.tasks.TaskException;
import dev.switchboard.shared.tasks.RedisUnavailableException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one JSON error shape of the HTTP API, {@code {"error": message, "status": code}}, installed as the router's
 * error handler for every status it produces: handlers fail with {@code rc.fail(status, cause)} and this renders.
 * A 500 is a defect of ours, so it is also logged with its cause (the client sees only the exception's class).
 */
final class ApiErrors {

  private static final Logger log = LoggerFactory.getLogger(ApiErrors.class);

  private static final int[] STATUSES = {400, 401, 403, 404, 405, 409, 413, 415, 421, 429, 500, 502, 503, 504};

  private ApiErrors() {
  }

  static void install(Router router) {
    for (int status : STATUSES) {
      router.errorHandler(status, ApiErrors::render);
    }
  }

  /**
   * The status a failure maps to: each task failure reason has one; Redis away or too slow is a 503 (try again);
   * anything else is a 500.
   */
  static int status(Throwable error) {
    if (error instanceof RedisUnavailableException) {
      return 503;
    }
    if (error instanceof TaskException task) {
      return switch (task.reason()) {
        case UNKNOWN_TASK, NO_SUCH_TASK, UNKNOWN_QUEUE -> 404;
        case INVALID_REQUEST -> 400;
        case QUEUE_FULL -> 503;
        default -> 500;
      };
    }
    return 500;
  }

  private static void render(RoutingContext rc) {
    if (rc.response().ended()) {
      return;
    }
    int status = rc.statusCode() < 0 ? 500 : rc.statusCode();
    if (status == 401) {
      rc.response().putHeader("WWW-Authenticate", "Bearer");
    } else if (status == 500) {
      log.error("{} {} answered 500", rc.request().method(), rc.request().path(), rc.failure());
    }
    rc.response().setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(new JsonObject().put("error", message(status, rc.failure())).put("status", status).encode());
  }

  private static String message(int status, Throwable failure) {
    if (failure != null && failure.getMessage() != null && status != 500) {
      return failure.getMessage();
    }
    return switch (status) {
      case 401 -> "a valid token is required";
      case 403 -> "forbidden";
      case 404 -> "not found";
      case 429 -> "too many requests";
      case 405 -> "method not allowed";
      case 413 -> "request body too large";
      case 415 -> "unsupported media type";
      case 421 -> "host not allowed";
      case 503 -> "service unavailable";
      case 502 -> "bad gateway";
      case 504 -> "gateway timeout";
      case 400 -> "bad request";
      default -> "internal error" + (failure == null ? "" : ": " + failure.getClass().getSimpleName());
    };
  }
}

package dev.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

@ExtendWith(VertxExtension.class)
@DisplayName("ApiErrors: one JSON error shape; a 500 is logged with its cause")
class ApiErrorsTest {

  private final Logger logger = (Logger) LoggerFactory.getLogger(ApiErrors.class);
  private final ListAppender<ILoggingEvent> log = new ListAppender<>();
  private HttpClient client;

  @AfterEach
  void detach() {
    logger.detachAppender(log);
  }

  @Test
  @DisplayName("a handler's unexpected exception answers 500 naming only its class, and is logged at ERROR with the "
      + "request and the stack trace")
  void internalErrorLogged(Vertx vertx, VertxTestContext test) {
    log.start();
    logger.addAppender(log);
    IllegalStateException bug = new IllegalStateException("secret detail");
    Router router = Router.router(vertx);
    router.get("/boom").handler(rc -> rc.fail(bug));
    router.get("/missing").handler(rc -> rc.fail(404));
    ApiErrors.install(router);
    client = vertx.createHttpClient();
    vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
        .compose(server -> client.request(HttpMethod.GET, server.actualPort(), "127.0.0.1", "/boom")
            .compose(request -> request.send())
            .compose(response -> response.body().map(body -> List.of(response.statusCode(), body.toJsonObject())))
            .compose(boom -> client.request(HttpMethod.GET, server.actualPort(), "127.0.0.1", "/missing")
                .compose(request -> request.send())
                .map(HttpClientResponse::statusCode)
                .map(missing -> List.of(boom.get(0), boom.get(1), missing))))
        .onComplete(test.succeeding(answers -> test.verify(() -> {
          assertEquals(500, answers.get(0));
          assertEquals("internal error: IllegalStateException", ((JsonObject) answers.get(1)).getString("error"));
          assertEquals(404, answers.get(2));
          List<ILoggingEvent> errors = log.list.stream().filter(e -> e.getLevel() == Level.ERROR).toList();
          assertEquals(1, errors.size(), "the 500 is logged, the 404 is not");
          assertEquals("GET /boom answered 500", errors.get(0).getFormattedMessage());
          assertSame(bug, ((ThrowableProxy) errors.get(0).getThrowableProxy()).getThrowable());
          test.completeNow();
        })));
  }
}

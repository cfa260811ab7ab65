// The bare Vert.x baseline for the HTTP benchmark: GET /api/ping answers exactly what the gateway's
// /api/ping answers (same body bytes, same headers), with no Router, no WebSocket handling, no cluster.
// It deploys as many server instances as the gateway does (one per core, sharing the port).
//   java -cp deploy/target/switchboard.jar bench/BareHttpServer.java PORT [INSTANCES]
// Prints "bare http server ready on port N (K instances)" once listening; stops on SIGTERM.
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;

public class BareHttpServer extends VerticleBase {

  private static final Buffer PONG = Buffer.buffer("{\"pong\":true}");
  private static final CharSequence APPLICATION_JSON = HttpHeaders.createOptimized("application/json");

  private final int port;

  BareHttpServer(int port) {
    this.port = port;
  }

  @Override
  public Future<?> start() {
    return vertx.createHttpServer().requestHandler(this::handle).listen(port, "127.0.0.1");
  }

  private void handle(HttpServerRequest request) {
    if (request.method() == HttpMethod.GET && "/api/ping".equals(request.path())) {
      request.response().putHeader(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON).end(PONG);
    } else {
      request.response().setStatusCode(404).end();
    }
  }

  public static void main(String[] args) {
    int port = Integer.parseInt(args.length > 0 ? args[0] : "8081");
    int instances = args.length > 1 ? Integer.parseInt(args[1]) : Runtime.getRuntime().availableProcessors();
    Vertx vertx = Vertx.vertx();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> vertx.close().await()));
    vertx.deployVerticle(() -> new BareHttpServer(port), new DeploymentOptions().setInstances(instances))
        .onSuccess(id -> System.out.println("bare http server ready on port " + port + " (" + instances + " instances)"))
        .onFailure(err -> {
          System.err.println("bare http server failed to start: " + err.getMessage());
          System.exit(1);
        });
  }
}

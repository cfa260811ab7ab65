// The ceiling for the data-layer benchmark: GET /api/rooms/{room}/messages?limit=N on a bare Vert.x HTTP server and
// pg-client pool, running the same query as Switchboard's ChatHistory and answering the same JSON shape, with no
// Router, validation layers, health checks or cluster. One server instance per core sharing the port and one pool.
//   java -cp deploy/target/switchboard.jar bench/BareRoomsServer.java PORT PG_URL [INSTANCES] [POOL_SIZE]
// Prints "bare rooms server ready on port N" once listening; stops on SIGTERM.
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

public class BareRoomsServer extends VerticleBase {

  private static final String QUERY = "SELECT id, room, username, message, ts FROM chat_messages "
      + "WHERE room = $1 AND id < $2 ORDER BY id DESC LIMIT $3";
  private static final String PREFIX = "/api/rooms/";
  private static final String SUFFIX = "/messages";

  private final int port;
  private final String url;
  private final int poolSize;
  private Pool pool;

  BareRoomsServer(int port, String url, int poolSize) {
    this.port = port;
    this.url = url;
    this.poolSize = poolSize;
  }

  @Override
  public Future<?> start() {
    pool = PgBuilder.pool().with(new PoolOptions().setShared(true).setName("bare").setMaxSize(poolSize))
        .connectingTo(url).using(vertx).build();
    return vertx.createHttpServer().requestHandler(this::handle).listen(port, "127.0.0.1");
  }

  private void handle(HttpServerRequest request) {
    String path = request.path();
    if (!path.startsWith(PREFIX) || !path.endsWith(SUFFIX)) {
      request.response().setStatusCode(404).end();
      return;
    }
    String room = path.substring(PREFIX.length(), path.length() - SUFFIX.length());
    String limitParam = request.getParam("limit");
    int limit = limitParam == null ? 50 : Integer.parseInt(limitParam);
    pool.preparedQuery(QUERY).execute(Tuple.of(room, Long.MAX_VALUE, limit + 1)).onComplete(ar -> {
      if (ar.failed()) {
        request.response().setStatusCode(503).end();
        return;
      }
      JsonArray newestFirst = new JsonArray();
      for (Row row : ar.result()) {
        newestFirst.add(new JsonObject().put("id", row.getLong(0)).put("room", row.getString(1))
            .put("user", row.getString(2)).put("message", row.getString(3))
            .put("ts", row.getOffsetDateTime(4).toInstant().toEpochMilli()));
      }
      boolean more = newestFirst.size() > limit;
      JsonArray messages = new JsonArray();
      for (int i = Math.min(limit, newestFirst.size()) - 1; i >= 0; i--) {
        messages.add(newestFirst.getValue(i));
      }
      Long next = more ? messages.getJsonObject(0).getLong("id") : null;
      request.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
          .end(new JsonObject().put("room", room).put("messages", messages).put("next", next).encode());
    });
  }

  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    String url = args[1];
    int instances = args.length > 2 ? Integer.parseInt(args[2]) : Runtime.getRuntime().availableProcessors();
    int poolSize = args.length > 3 ? Integer.parseInt(args[3]) : 8;
    Vertx vertx = Vertx.vertx();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> vertx.close().await()));
    vertx.deployVerticle(() -> new BareRoomsServer(port, url, poolSize), new DeploymentOptions().setInstances(instances))
        .onSuccess(id -> System.out.println("bare rooms server ready on port " + port + " (" + instances + " instances)"))
        .onFailure(err -> {
          System.err.println("bare rooms server failed to start: " + err.getMessage());
          System.exit(1);
        });
  }
}

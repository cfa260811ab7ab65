package dev.switchboard.deploy;

import dev.switchboard.consumers.ConsumersVerticle;
import dev.switchboard.consumers.data.AppMigrations;
import dev.switchboard.consumers.data.DatabaseVerticle;
import dev.switchboard.gateway.GatewayVerticle;
import dev.switchboard.shared.apps.AppCatalog;
import dev.switchboard.shared.channels.ChannelLayerVerticle;
import dev.switchboard.worker.WorkerVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * For data-layer tests in one JVM: the machine's PostgreSQL with a fresh database per test class
 * (SWITCHBOARD_TEST_PG_URL, default postgres@127.0.0.1:5432/test), a node deployed the way SwitchboardNode does it
 * (data layer first, gateway last), and HTTP calls.
 */
final class DataTesting {

  static final String ADMIN_URL = System.getenv().getOrDefault("SWITCHBOARD_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test");
  static final String REDIS_URL = System.getenv().getOrDefault("SWITCHBOARD_TEST_REDIS_URL", "redis://127.0.0.1:6379");

  private DataTesting() {
  }

  record Reply(int status, Buffer body) {
    JsonObject json() {
      return body.toJsonObject();
    }
  }

  /** A node's verticles, deployed in SwitchboardNode's order; {@link #undeploy()} in reverse. */
  static final class Node {
    final GatewayVerticle gateway = GatewayVerticle.standalone();
    private final Vertx vertx;
    private final List<String> deployments = new CopyOnWriteArrayList<>();
    private HttpClient http;

    private Node(Vertx vertx) {
      this.vertx = vertx;
    }

    static Future<Node> deploy(Vertx vertx, JsonObject config, boolean withWorker) {
      Node node = new Node(vertx);
      DeploymentOptions options = new DeploymentOptions().setConfig(config);
      Future<?> chain = vertx.deployVerticle(ChannelLayerVerticle.standalone(), options).onSuccess(node.deployments::add)
          .compose(v -> vertx.deployVerticle(new DatabaseVerticle(AppMigrations.of(AppCatalog.discover(DataTesting.class.getClassLoader()).apps())), options).onSuccess(node.deployments::add))
          .compose(v -> vertx.deployVerticle(ConsumersVerticle.standalone(), options).onSuccess(node.deployments::add));
      if (withWorker) {
        chain = chain.compose(v -> vertx.deployVerticle(new WorkerVerticle(), options).onSuccess(node.deployments::add));
      }
      return chain.compose(v -> vertx.deployVerticle(node.gateway, options).onSuccess(node.deployments::add))
          .map(v -> {
            node.http = vertx.createHttpClient();
            return node;
          });
    }

    int port() {
      return gateway.actualPort();
    }

    Future<Reply> call(HttpMethod method, String uri, Buffer body) {
      return call(method, uri, body, null);
    }

    /** A call with {@code Authorization: Bearer token} when {@code token} is not null. */
    Future<Reply> call(HttpMethod method, String uri, Buffer body, String token) {
      RequestOptions options = new RequestOptions().setMethod(method).putHeader("Content-Type", "application/json").setHost("127.0.0.1").setPort(port()).setURI(uri);
      if (token != null) {
        options.addHeader("Authorization", "Bearer " + token);
      }
      return http.request(options)
          .compose(request -> body == null ? request.send() : request.send(body))
          .compose(response -> response.body().map(bytes -> new Reply(response.statusCode(), bytes)));
    }

    Future<Void> undeploy() {
      Future<Void> chain = http == null ? Future.succeededFuture() : http.close();
      for (int i = deployments.size() - 1; i >= 0; i--) {
        String id = deployments.get(i);
        chain = chain.compose(v -> vertx.undeploy(id));
      }
      return chain;
    }
  }

  /** Creates an empty database on the machine's PostgreSQL; completes with its URL. */
  static Future<String> createDatabase(Vertx vertx) {
    // the name is ours, never user input: identifiers cannot be bound as parameters
    String name = "sb_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    return admin(vertx, "CREATE DATABASE " + name).map(v -> ADMIN_URL.substring(0, ADMIN_URL.lastIndexOf('/') + 1) + name);
  }

  static Future<Void> dropDatabase(Vertx vertx, String url) {
    if (url == null) {
      return Future.succeededFuture();
    }
    return admin(vertx, "DROP DATABASE IF EXISTS " + url.substring(url.lastIndexOf('/') + 1) + " WITH (FORCE)");
  }

  private static Future<Void> admin(Vertx vertx, String sql) {
    Pool pool = PgBuilder.pool().connectingTo(ADMIN_URL).using(vertx).build();
    return pool.query(sql).execute().<Void>mapEmpty().eventually(pool::close);
  }
}

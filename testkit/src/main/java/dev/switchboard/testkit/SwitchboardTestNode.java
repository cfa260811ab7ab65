package dev.switchboard.testkit;

import dev.switchboard.api.NodeRole;
import dev.switchboard.api.SwitchboardApp;
import dev.switchboard.api.tasks.TaskClient;
import dev.switchboard.deploy.SwitchboardNode;
import dev.switchboard.shared.apps.AppCatalog;
import dev.switchboard.shared.config.ConfigLoader;
import dev.switchboard.shared.config.SwitchboardConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A whole Switchboard node in the test's JVM, on free ports (HTTP and TCP echo on port 0), with the user's app:
 * gateway, consumers and worker, over real sockets, real Redis and real PostgreSQL (embedded ones when no URL is
 * given or set in {@code SWITCHBOARD_REDIS_URL} / {@code SWITCHBOARD_PG_URL}). By default its apps are those
 * {@link java.util.ServiceLoader} finds on the test's class path (the app under test, from its services file, and the
 * built-in one), exactly as a node started with {@code --app} would.
 *
 * <pre>{@code
 * try (SwitchboardTestNode node = SwitchboardTestNode.start()) {
 *   WebsocketCommunicator ws = node.websocket("/ws/quickstart/ada");
 *   assertTrue(ws.connect());
 *   assertEquals("hello, ada", ws.receiveText());
 * }
 * }</pre>
 *
 * <p>Methods block the calling (test) thread; never call them from an event loop. {@link #close()} stops everything
 * the node started.
 */
public final class SwitchboardTestNode implements AutoCloseable {

  /** How long {@link #start()} waits for the node, and {@link #runTask} for a result. */
  public static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final SwitchboardNode node;

  private SwitchboardTestNode(SwitchboardNode node) {
    this.node = node;
  }

  /** A node with every role and the apps on the class path. */
  public static SwitchboardTestNode start() {
    return builder().start();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Configures a test node; {@link #start()} starts it. */
  public static final class Builder {
    private final List<SwitchboardApp> apps = new ArrayList<>();
    private final Set<NodeRole> roles = EnumSet.allOf(NodeRole.class);
    private String redisUrl;
    private String pgUrl;
    private JsonObject overrides = new JsonObject();

    private Builder() {
    }

    /** Runs exactly these apps instead of those on the class path (the built-in ones are then left out too). */
    public Builder app(SwitchboardApp app) {
      apps.add(app);
      return this;
    }

    /** Which roles the node runs (all by default). */
    public Builder roles(NodeRole first, NodeRole... more) {
      roles.clear();
      roles.add(first);
      roles.addAll(List.of(more));
      return this;
    }

    /** A Redis to use instead of an embedded one, e.g. {@code redis://127.0.0.1:6379}. */
    public Builder redisUrl(String url) {
      this.redisUrl = url;
      return this;
    }

    /** A PostgreSQL to use instead of an embedded one, e.g. {@code postgresql://postgres@127.0.0.1:5432/test}. */
    public Builder pgUrl(String url) {
      this.pgUrl = url;
      return this;
    }

    /**
     * Configuration merged over the defaults, in the configuration file's shape (e.g. {@code {"tasks": {...}}});
     * {@code apps.<name>} is an app's settings ({@link dev.switchboard.api.AppEnvironment#settings()}).
     */
    public Builder config(JsonObject config) {
      this.overrides = config.copy();
      return this;
    }

    /** Starts the node; returns once every role serves. Fails with an IllegalStateException saying why. */
    public SwitchboardTestNode start() {
      SwitchboardConfig config = config();
      AppCatalog catalog = apps.isEmpty()
          ? AppCatalog.discover(Thread.currentThread().getContextClassLoader())
          : AppCatalog.of(apps);
      JsonObject settings = overrides.getValue("apps") instanceof JsonObject own ? own : new JsonObject();
      SwitchboardNode node = new SwitchboardNode(roles, config, catalog, settings);
      try {
        node.start().await(TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        node.stop();
        throw new IllegalStateException("the test node did not start: " + e.getMessage(), e);
      }
      return new SwitchboardTestNode(node);
    }

    private SwitchboardConfig config() {
      Vertx reader = Vertx.vertx();
      try {
        JsonObject defaults = new JsonObject()
            // an embedded PostgreSQL keeps its data with the build's output, not beside the user's sources
            .put("pg", new JsonObject().put("embeddedDir", "target/switchboard-test/postgres"));
        JsonObject json = defaults.mergeIn(ConfigLoader.loadJson(reader, null).await(), true).mergeIn(overrides, true);
        json.put("http", json.getJsonObject("http", new JsonObject()).put("port", 0));
        json.put("tcpEchoPort", 0);
        SwitchboardConfig config = SwitchboardConfig.fromJson(json);
        if (redisUrl != null) {
          config = config.withRedisUrl(redisUrl);
        }
        if (pgUrl != null) {
          config = config.withPgUrl(pgUrl);
        }
        return config;
      } catch (Exception e) {
        throw new IllegalStateException("test node configuration: " + e.getMessage(), e);
      } finally {
        reader.close();
      }
    }
  }

  /** The node's HTTP (and WebSocket) port. */
  public int port() {
    return node.httpPort();
  }

  /**
   * The node's Vert.x instance (for a test's own clients). Keep such a client in a field of the test until it is done
   * with it: Vert.x closes a client that nothing references any more, under its open sockets and queued requests.
   */
  public Vertx vertx() {
    return node.vertx();
  }

  /** A new WebSocket communicator for {@code path} on this node (not connected yet). */
  public WebsocketCommunicator websocket(String path) {
    return new WebsocketCommunicator(vertx(), port(), path);
  }

  /** A new HTTP communicator: {@code method path} on this node. */
  public HttpCommunicator http(String method, String path) {
    return new HttpCommunicator(vertx(), port(), method, path);
  }

  /** The node's own task client (on its Redis), closed with the node. */
  public TaskClient tasks() {
    return node.tasks();
  }

  /**
   * Sends {@code name(args...)} through Redis to this node's real worker and waits for its result (Celery's
   * {@code delay(...).get()}); a failed task throws its {@link dev.switchboard.api.tasks.TaskException}.
   */
  public Object runTask(String name, Object... args) {
    try {
      return tasks().delay(name, args).compose(handle -> handle.get(TIMEOUT)).await();
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("task " + name + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    node.stop();
  }
}

package dev.switchboard.shared.tasks;

import dev.switchboard.shared.metrics.MetricNames;
import dev.switchboard.shared.metrics.SwitchboardMetrics;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.net.NetClientOptions;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A {@link Redis} that sends every command over ONE connection, pipelined: many commands in flight, replies in
 * order. The pooled client takes a connection per command and gives it back on the reply, so concurrent callers
 * pay a round trip each; here they share the socket (measured on the project machine: about 60k PINGs/s on one
 * pipelined connection against 19k/s through a pool of 16).
 *
 * <p>The connection lives on one event-loop context, and every command is written from it (a caller on another
 * context hops there; its Future still completes on the caller's context). When the connection drops (Redis
 * restarted, network cut), the commands in flight fail and the next command connects again: callers retry.
 * {@link #connect()} hands out a separate connection, for blocking reads or subscriptions.
 *
 * <p>A half-open connection (Redis failed over, a cut the kernel has not noticed) would stall every command behind
 * the first one that never gets its reply: so each command has a timeout ({@link #COMMAND_TIMEOUT_MS}); when it
 * passes, the connection is dropped (its in-flight commands fail, the next one reconnects) and the command fails
 * with {@link RedisUnavailableException}, as do commands that could not connect or whose connection dropped under
 * them. TCP keepalive is on as well, for idle connections. A command that timed out may still have run.
 *
 * <p>Error replies that say Redis cannot serve anyone right now ({@link #UNAVAILABLE_CODES}: a Redis restarting
 * answers {@code LOADING} while it reads its AOF or RDB) fail the command with {@link RedisUnavailableException}
 * too; a reply saying the server is a replica now ({@link #REPLICA_CODES}: it was failed over) also replaces the
 * connection, as a stall does, so that the next command reaches whatever the URL names now. Every other error reply
 * (a script's, a wrong type) passes through unchanged.
 */
public final class MultiplexedRedis implements Redis {

  /**
   * Commands in flight (waiting for the connection or for their replies) at most; beyond, a command fails at once
   * with {@link RedisUnavailableException}, counted in {@code switchboard_tasks_bound_hits_total{bound="redis_in_flight"}}.
   * The client's own queue has the same bound.
   */
  public static final int MAX_IN_FLIGHT = 16_384;
  /** The {@code bound} tag of the in-flight bound's hits. */
  public static final String IN_FLIGHT_BOUND = "redis_in_flight";
  /**
   * How long one command may wait for its reply before the connection is declared dead; generous, because a loaded
   * machine stalls JVMs for seconds.
   */
  public static final long COMMAND_TIMEOUT_MS = 10_000;
  /**
   * Error codes of a Redis that cannot serve this command now, whoever sends it: loading its data, a replica, a
   * replica without its primary, a script or module busy past its limit, a cluster slot moving.
   */
  public static final Set<String> UNAVAILABLE_CODES = Set.of("LOADING", "READONLY", "MASTERDOWN", "BUSY", "TRYAGAIN");
  /** Of those, the codes of a server that is a replica now: the connection is replaced. */
  public static final Set<String> REPLICA_CODES = Set.of("READONLY", "MASTERDOWN");
  private static final Pattern BATCH_LINE = Pattern.compile("^ERR \\[\\d+] ");

  private final Vertx vertx;
  private final RedisOptions options;
  private final ContextInternal home;
  /** Hands out the connection; replaced (with all its sockets closed) when a connection stalls. */
  private Redis connector;
  private RedisConnection connection;
  private Future<RedisConnection> connecting;
  private boolean closed;
  /** Commands (a batch counts its requests) taken and not yet completed; on home only. */
  private int inFlight;
  private final Counter inFlightHits;

  private MultiplexedRedis(Vertx vertx, RedisOptions options, ContextInternal home) {
    this.vertx = vertx;
    this.options = options;
    this.home = home;
    this.connector = Redis.createClient(vertx, options);
    this.inFlightHits = Counter.builder(MetricNames.TASK_BOUND_HITS).tag(MetricNames.BOUND, IN_FLIGHT_BOUND)
        .description("task-system bounds hit").register(SwitchboardMetrics.registry(vertx));
  }

  /**
   * A client whose connection lives on the calling event-loop context when there is one (a verticle: no hop for
   * its own calls; close it in the verticle's stop), else on a context of its own.
   */
  public static MultiplexedRedis create(Vertx vertx, RedisOptions options) {
    return create(vertx, options, homeContext(vertx, false));
  }

  /** A client whose connection lives on {@code home}, an event-loop context. */
  public static MultiplexedRedis create(Vertx vertx, RedisOptions options, Context home) {
    RedisOptions tuned = new RedisOptions(options).setMaxPoolSize(4).setMaxWaitingHandlers(MAX_IN_FLIGHT);
    tuned.setNetClientOptions(new NetClientOptions(tuned.getNetClientOptions()).setTcpKeepAlive(true));
    return new MultiplexedRedis(vertx, tuned, (ContextInternal) home);
  }

  /** The calling event-loop context, unless {@code own} or there is none: then a new event-loop context. */
  public static Context homeContext(Vertx vertx, boolean own) {
    ContextInternal current = ((VertxInternal) vertx).getContext();
    return !own && current != null && current.isEventLoopContext()
        ? current : ((VertxInternal) vertx).createEventLoopContext();
  }

  @Override
  public Future<Response> send(Request request) {
    return onHome(1, conn -> conn.send(request));
  }

  @Override
  public Future<List<Response>> batch(List<Request> requests) {
    return onHome(requests.size(), conn -> conn.batch(requests));
  }

  /** A separate connection (not the shared one), for blocking commands or pub/sub; the caller closes it. */
  @Override
  public Future<RedisConnection> connect() {
    return connector.connect();
  }

  @Override
  public Future<Void> close() {
    Promise<Void> done = Promise.promise();
    home.runOnContext(v -> {
      closed = true;
      RedisConnection open = connection;
      connection = null;
      (open == null ? Future.<Void>succeededFuture() : open.close().recover(err -> Future.succeededFuture()))
          .eventually(connector::close)
          .onComplete(done);
    });
    return done.future();
  }

  private <T> Future<T> onHome(int weight, Function<RedisConnection, Future<T>> command) {
    ContextInternal caller = ((VertxInternal) home.owner()).getOrCreateContext();
    if (caller == home) {
      return bounded(weight, command);
    }
    Promise<T> result = caller.promise();
    home.runOnContext(v -> bounded(weight, command).onComplete(result));
    return result.future();
  }

  /** {@link #guarded}, unless {@link #MAX_IN_FLIGHT} commands are in flight already. On home only. */
  private <T> Future<T> bounded(int weight, Function<RedisConnection, Future<T>> command) {
    if (inFlight + weight > MAX_IN_FLIGHT) {
      inFlightHits.increment();
      return Future.failedFuture(new RedisUnavailableException("too many Redis commands in flight: " + inFlight
          + " of at most " + MAX_IN_FLIGHT + " (Redis is slower than the callers)", null));
    }
    inFlight += weight;
    return guarded(command).onComplete(done -> inFlight -= weight);
  }

  /**
   * Connects if needed and runs the command: its reply, or a {@link RedisUnavailableException} when the connection
   * could not be made, dropped under the command, or nothing came within the timeout (connecting included: a
   * silent server stalls the handshake too); the stalled connection is then dropped. Error replies pass through
   * unchanged, but for those of a Redis that cannot serve now ({@link #failure}). On home only.
   */
  private <T> Future<T> guarded(Function<RedisConnection, Future<T>> command) {
    Promise<T> guarded = home.promise();
    RedisConnection[] used = new RedisConnection[1];
    long timer = home.owner().setTimer(COMMAND_TIMEOUT_MS, id -> {
      if (!guarded.future().isComplete()) {
        replaceConnector(); // first: the failure's listeners may send the next command at once
        guarded.tryFail(new RedisUnavailableException("Redis did not answer within " + COMMAND_TIMEOUT_MS
            + " ms; connection dropped", null));
      }
    });
    connection().compose(conn -> {
      used[0] = conn;
      return command.apply(conn);
    }).onComplete(result -> {
      home.owner().cancelTimer(timer);
      if (result.succeeded()) {
        guarded.tryComplete(result.result());
      } else if (used[0] == null) {
        guarded.tryFail(result.cause()); // could not connect: already a RedisUnavailableException
      } else {
        // a drop fails the in-flight commands first and runs the end handler right after: judge on the next turn
        home.runOnContext(v -> guarded.tryFail(failure(used[0], result.cause())));
      }
    });
    return guarded.future();
  }

  /** What a command that failed on {@code used} fails with: see the class comment. On home only. */
  private Throwable failure(RedisConnection used, Throwable cause) {
    String code = unavailableCode(cause);
    if (code != null) {
      boolean replica = REPLICA_CODES.contains(code);
      if (replica && connection == used) {
        replaceConnector();
      }
      return new RedisUnavailableException("Redis cannot serve commands now (" + cause.getMessage() + ")"
          + (replica ? "; reconnecting" : ""), cause);
    }
    return connection != used
        ? new RedisUnavailableException("connection to Redis lost: " + cause.getMessage(), cause)
        : cause;
  }

  /**
   * The first of {@link #UNAVAILABLE_CODES} among the error replies in {@code error}, or null. A failed batch is one
   * error whose message has a line {@code ERR [index] message} per failed command (the client's format).
   */
  private static String unavailableCode(Throwable error) {
    if (errorCode(error) == null) {
      return null;
    }
    for (String line : error.getMessage().split("\\R")) {
      String reply = BATCH_LINE.matcher(line).replaceFirst("");
      int space = reply.indexOf(' ');
      String code = space < 0 ? reply : reply.substring(0, space);
      if (UNAVAILABLE_CODES.contains(code)) {
        return code;
      }
    }
    return null;
  }

  /**
   * The code of a Redis error reply (its first word, by the protocol: {@code LOADING}, {@code WRONGTYPE}), or null
   * when {@code error} is not an error reply.
   */
  public static String errorCode(Throwable error) {
    if (!(error instanceof Response reply) || reply.type() != ResponseType.ERROR || error.getMessage() == null) {
      return null;
    }
    String message = error.getMessage();
    int space = message.indexOf(' ');
    return space < 0 ? message : message.substring(0, space);
  }

  /** The shared connection, opened on first use and after a drop; on the home context only. */
  private Future<RedisConnection> connection() {
    if (closed) {
      return Future.failedFuture(new RedisUnavailableException("Redis client closed", null));
    }
    if (connection != null) {
      return Future.succeededFuture(connection);
    }
    if (connecting == null) {
      Promise<RedisConnection> attempt = home.promise();
      connecting = attempt.future();
      connector.connect().onComplete(opened -> {
        if (connecting != attempt.future()) {
          // abandoned after a timeout, or the client was closed meanwhile: nobody waits for this one
          if (opened.succeeded()) {
            opened.result().close();
          }
          attempt.tryFail(new RedisUnavailableException("Redis connection attempt abandoned", opened.cause()));
          return;
        }
        connecting = null;
        if (opened.failed()) {
          attempt.fail(new RedisUnavailableException("cannot connect to Redis: " + opened.cause().getMessage(),
              opened.cause()));
          return;
        }
        RedisConnection conn = opened.result();
        conn.exceptionHandler(err -> dropped(conn));
        conn.endHandler(v -> dropped(conn));
        connection = conn;
        attempt.complete(conn);
      });
    }
    return connecting;
  }

  /**
   * A command or a handshake got no answer in time (the socket is half-open or Redis is stuck), or the server turned
   * out to be a replica. Closing a pooled
   * connection would only hand the same socket back to the pool, so the whole connector goes (closing its sockets,
   * failing what is in flight on them) and a fresh one serves the next command.
   */
  private void replaceConnector() {
    Redis stale = connector;
    connection = null;
    connecting = null;
    connector = Redis.createClient(vertx, options);
    stale.close();
  }

  private void dropped(RedisConnection conn) {
    if (connection == conn) {
      connection = null;
      conn.close();
    }
  }
}

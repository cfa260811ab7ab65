package dev.switchboard.gateway;

import dev.switchboard.shared.metrics.MetricNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The gateway's HTTP server meters, under the names vertx-micrometer gave them ({@code vertx_http_server_requests_total},
 * {@code _response_time_seconds}, {@code _request_bytes}, {@code _response_bytes} by route, method and code;
 * {@code _active_requests} by method; {@code _active_connections}), recorded by the router's first handler
 * ({@link #record}) instead of vertx-micrometer's HTTP server metrics, which built {@code Tags} and a meter id for
 * five meter look-ups on every request (~940 B). Here each (route, method, code) finds its meters once; after that a
 * request costs one small object and no look-up.
 *
 * <p>The route label is the template of the route that answered ({@code /api/tasks/:id}); when the router's error
 * handler answered, the most specific path route matching the request ({@link #labelFailures}), else the route that
 * had the request when it went asynchronous; a pathless route that takes requests names its own ({@link #ROUTE}: the
 * relay puts the consumer's pattern there); otherwise {@link #UNMATCHED} (no route's path and method match).
 * At most {@code maxSeries} (route, method, code) combinations get their own meters; the rest share the one
 * {@link #OTHER} series and are counted in {@code switchboard_http_server_meters_overflow_total}. WebSocket
 * upgrades are not recorded (the gateway's handshakes never reach the router; sockets have their own meters).
 *
 * <p>One per node, shared by its gateway instances; thread-safe.
 */
final class HttpServerMeters {

  /** The routing-context key under which a pathless route that takes a request may put its route template. */
  static final String ROUTE = "switchboard.metrics.route";
  /** The route label of a request no route took. */
  static final String UNMATCHED = "unmatched";
  /** Every label of the series the combinations past the bound share, and the method label of unusual methods. */
  static final String OTHER = "other";
  /** The default bound on (route, method, code) combinations with meters of their own. */
  static final int DEFAULT_MAX_SERIES = 1000;

  private static final String PREFIX = "vertx.http.server.";
  private static final HttpMethod[] METHODS = {HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.DELETE,
      HttpMethod.PATCH, HttpMethod.HEAD, HttpMethod.OPTIONS};

  private final MeterRegistry registry;
  private final int maxSeries;
  private final Map<String, RouteSeries> routes = new ConcurrentHashMap<>();
  private Series overflow;
  private final Counter overflows;
  private final AtomicLong[] active = new AtomicLong[METHODS.length + 1];
  /** Whether the method's active-requests gauge is registered (a racing second registration finds the first). */
  private final boolean[] activeRegistered = new boolean[METHODS.length + 1];
  private final AtomicLong connections = new AtomicLong();
  private int series;

  HttpServerMeters(MeterRegistry registry, int maxSeries) {
    this.registry = registry;
    this.maxSeries = maxSeries;
    this.overflows = Counter.builder(MetricNames.HTTP_SERVER_METER_OVERFLOWS)
        .description("HTTP requests recorded in the route=\"other\" series: past the bound on (route, method, code)")
        .register(registry);
    for (int m = 0; m < active.length; m++) {
      active[m] = new AtomicLong();
    }
    Gauge.builder(PREFIX + "active.connections", connections, AtomicLong::get)
        .description("Number of opened connections to the server").register(registry);
  }

  /** Router handler, first in the table: times the request until its response ends (or its connection closes). */
  void record(RoutingContext rc) {
    if (rc.request().headers().contains(HttpHeaders.UPGRADE, HttpHeaders.WEBSOCKET, true)) {
      rc.next();
      return;
    }
    int method = methodIndex(rc.request().method());
    activeRequests(method).incrementAndGet();
    Exchange exchange = new Exchange(rc, method, System.nanoTime());
    // the response's own end handler, not rc.addEndHandler (~200 B of handler lists and lambdas per request); it
    // also runs when the connection closes first. rc.addEndHandler takes the same slot, so a handler using it on
    // this router (vertx-web's LoggerHandler, TimeoutHandler; none is installed) would silence these meters.
    rc.response().endHandler(exchange);
    rc.next();
    if (!rc.response().ended()) {
      exchange.pending = rc.currentRoute();
    }
  }

  /**
   * Gives each path route of {@code router} added so far a failure handler that only passes the failure on, so that
   * when the router's error handler answers (a handler failed, however early, or a guard refused the request) the
   * current route is the last path route matching the request, its most specific, rather than none. Costs nothing
   * until a request fails. Call before mounting sub-routers: their mount routes have failure handlers of their own.
   */
  void labelFailures(Router router) {
    for (Route route : router.getRoutes()) {
      if (route.getPath() != null || route.isRegexPath()) {
        route.failureHandler(RoutingContext::next);
      }
    }
  }

  /** HTTP server connection handler: counts the connection while it is open. */
  void connected(HttpConnection connection) {
    connections.incrementAndGet();
    connection.closeHandler(v -> connections.decrementAndGet());
  }

  private static int methodIndex(HttpMethod method) {
    for (int m = 0; m < METHODS.length; m++) {
      if (METHODS[m] == method) {
        return m;
      }
    }
    return METHODS.length;
  }

  private static String methodLabel(int method) {
    return method < METHODS.length ? METHODS[method].name() : OTHER;
  }

  private AtomicLong activeRequests(int method) {
    AtomicLong count = active[method];
    if (!activeRegistered[method]) {
      Gauge.builder(PREFIX + "active.requests", count, AtomicLong::get).tag("method", methodLabel(method))
          .description("Number of requests being processed").register(registry);
      activeRegistered[method] = true;
    }
    return count;
  }

  private Series series(String route, int method, int code) {
    RouteSeries forRoute = routes.get(route);
    Series found = forRoute == null ? null : forRoute.find(method, code);
    return found != null ? found : added(route, method, code);
  }

  private synchronized Series added(String route, int method, int code) {
    RouteSeries forRoute = routes.get(route);
    Series found = forRoute == null ? null : forRoute.find(method, code);
    if (found != null) {
      return found;
    }
    if (series >= maxSeries) {
      overflows.increment();
      if (overflow == null) {
        overflow = new Series(registry, OTHER, OTHER, OTHER, -1, -1);
      }
      return overflow;
    }
    series++;
    Series created = new Series(registry, route, methodLabel(method), String.valueOf(code), method, code);
    routes.computeIfAbsent(route, r -> new RouteSeries()).add(created);
    return created;
  }

  /** One request on its way: started at {@code startNanos}; {@code pending} is the route that had it when it went asynchronous. */
  private final class Exchange implements Handler<Void> {
    private final RoutingContext rc;
    private final int method;
    private final long startNanos;
    private Route pending;

    Exchange(RoutingContext rc, int method, long startNanos) {
      this.rc = rc;
      this.method = method;
      this.startNanos = startNanos;
    }

    @Override
    public void handle(Void ended) {
      long nanos = System.nanoTime() - startNanos;
      active[method].decrementAndGet();
      HttpServerResponse response = rc.response();
      if (!response.ended()) {
        return; // the connection closed first: no response to count
      }
      Series series = series(routeLabel(), method, response.getStatusCode());
      series.requests.increment();
      series.responseTime.record(nanos, TimeUnit.NANOSECONDS);
      series.requestBytes.record(rc.request().bytesRead());
      series.responseBytes.record(response.bytesWritten());
    }

    private String routeLabel() {
      Route route = rc.currentRoute() != null ? rc.currentRoute() : pending;
      if (route == null) {
        return UNMATCHED;
      }
      String name = route.getName();
      if (name != null) {
        return name;
      }
      String named = rc.get(ROUTE);
      return named != null ? named : UNMATCHED;
    }
  }

  /** The series of one route: few (a method or two, a few codes), so a copy-on-write array scanned in order. */
  private static final class RouteSeries {
    private volatile Series[] all = new Series[0];

    Series find(int method, int code) {
      for (Series series : all) {
        if (series.method == method && series.code == code) {
          return series;
        }
      }
      return null;
    }

    /** Under the meters' lock. */
    void add(Series series) {
      Series[] grown = java.util.Arrays.copyOf(all, all.length + 1);
      grown[all.length] = series;
      all = grown;
    }
  }

  /** The meters of one (route, method, code). */
  private static final class Series {
    final int method;
    final int code;
    final Counter requests;
    final Timer responseTime;
    final DistributionSummary requestBytes;
    final DistributionSummary responseBytes;

    Series(MeterRegistry registry, String route, String methodLabel, String codeLabel, int method, int code) {
      this.method = method;
      this.code = code;
      String[] tags = {"route", route, "method", methodLabel, "code", codeLabel};
      requests = Counter.builder(PREFIX + "requests").tags(tags)
          .description("Number of processed requests").register(registry);
      responseTime = Timer.builder(PREFIX + "response.time").tags(tags)
          .description("Request processing time").register(registry);
      requestBytes = DistributionSummary.builder(PREFIX + "request.bytes").tags(tags)
          .description("Size of requests in bytes").register(registry);
      responseBytes = DistributionSummary.builder(PREFIX + "response.bytes").tags(tags)
          .description("Size of responses in bytes").register(registry);
    }
  }
}

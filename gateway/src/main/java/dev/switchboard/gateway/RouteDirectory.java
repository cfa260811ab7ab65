package dev.switchboard.gateway;

import dev.switchboard.shared.cluster.ClusterMembership;
import dev.switchboard.shared.metrics.MetricNames;
import dev.switchboard.shared.metrics.SwitchboardMetrics;
import dev.switchboard.shared.protocol.Addresses;
import dev.switchboard.shared.routes.Route;
import dev.switchboard.shared.routes.RouteAnnouncement;
import dev.switchboard.shared.routes.RoutePattern;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's route table, built from the routes that nodes (and TCP-bridge clients) announce: nothing about
 * users' routes is compiled in. On {@link #start()} it subscribes to announcements, then reads the cluster-wide
 * map of current ones, so it misses neither; it drops a node's routes the moment the cluster sees the node leave
 * (stop or kill -9). Two sources announcing one pattern for different consumers is a conflict: logged, counted
 * ({@code switchboard_route_conflicts}) and listed by {@link #toJson()} ({@code GET /api/routes}); the oldest
 * announcement keeps serving the pattern until the conflict is resolved by its owners. So is a more specific pattern
 * that would take paths from another consumer's route ({@code /ws/chat/lobby} beside {@code /ws/chat/:room}) when
 * none of the sources announcing it also announces that route: it is not served while the conflict lasts (one
 * source's own refinements, such as {@code /api/rooms/stats} beside {@code /api/rooms/:room}, are served).
 *
 * <p>One per node, shared by the gateway's instances: updates run on the context that started it, lookups read an
 * immutable snapshot from any thread. At most {@link #MAX_SOURCES} sources are kept; more are refused and counted.
 */
public final class RouteDirectory {

  /** Sources (deployments, bridge clients) kept at once. */
  public static final int MAX_SOURCES = 10_000;
  private static final Logger log = LoggerFactory.getLogger(RouteDirectory.class);

  private record Entry(String key, String pattern, RoutePattern compiled, String consumer, long order, long announcedAt) {
  }

  /** An immutable view: routes by kind, most specific first, and the conflicting patterns. */
  private record Snapshot(Map<Route.Kind, List<Entry>> routes, Map<String, Set<String>> conflicts) {
  }

  private final Vertx vertx;
  private final Map<String, RouteAnnouncement> sources = new HashMap<>();
  private final Map<String, Long> firstSeen = new HashMap<>();
  private final Map<String, Long> firstSeenAt = new HashMap<>();
  private final AtomicLong conflictCount = new AtomicLong();
  private volatile Snapshot snapshot = new Snapshot(Map.of(), Map.of());
  private List<RouteAnnouncement> early = new ArrayList<>();
  private long order;
  private MessageConsumer<JsonObject> announcements;
  private Runnable stopWatchingNodes = () -> { };
  private Counter refused;
  private Context context;

  public RouteDirectory(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Subscribes, then loads the current announcements; completes once the table holds every route announced so far. */
  public Future<Void> start() {
    context = vertx.getOrCreateContext();
    MeterRegistry registry = SwitchboardMetrics.registry(vertx);
    String node = ClusterMembership.of(vertx).nodeId();
    Gauge.builder(MetricNames.ROUTE_CONFLICTS, conflictCount, AtomicLong::get).tag(MetricNames.NODE, node)
        .description("route patterns announced for more than one consumer").register(registry);
    refused = Counter.builder(MetricNames.ROUTE_ANNOUNCEMENTS_REFUSED).tag(MetricNames.NODE, node)
        .description("route announcements refused: malformed, or over the bound of sources").register(registry);
    stopWatchingNodes = ClusterMembership.of(vertx).onNodeLeft(this::nodeLeft);
    announcements = vertx.eventBus().consumer(Addresses.ROUTES_ANNOUNCE, message -> received(message.body()));
    return announcements.completion()
        .compose(v -> vertx.sharedData().<String, JsonObject>getAsyncMap(Addresses.ROUTES_MAP))
        .compose(AsyncMap::entries)
        .map(entries -> {
          Set<String> members = Set.copyOf(ClusterMembership.of(vertx).nodes());
          entries.values().forEach(json -> parse(json).filter(a -> members.contains(a.node())).ifPresent(this::apply));
          List<RouteAnnouncement> heard = early;
          early = null;
          heard.forEach(this::apply);
          rebuild();
          return null;
        });
  }

  /**
   * This directory as a verticle of its own, for a node that shares it between its gateway instances: it lives on
   * its own context, is started before the gateways and undeployed after them.
   */
  public VerticleBase verticle() {
    return new VerticleBase() {
      @Override
      public Future<?> start() {
        return RouteDirectory.this.start();
      }

      @Override
      public Future<?> stop() {
        return RouteDirectory.this.stop();
      }
    };
  }

  public Future<Void> stop() {
    stopWatchingNodes.run();
    return announcements == null ? Future.succeededFuture() : announcements.unregister();
  }

  /** The route of {@code kind} serving {@code path}: the most specific matching pattern. */
  public Optional<RouteMatch> match(Route.Kind kind, String path) {
    for (Entry entry : snapshot.routes.getOrDefault(kind, List.of())) {
      JsonObject params = entry.compiled.match(path);
      if (params != null) {
        return Optional.of(new RouteMatch(entry.pattern, entry.consumer, params,
            entry.announcedAt + ConsumerRequests.REGISTRATION_GRACE_MS));
      }
    }
    return Optional.empty();
  }

  /** The table for {@code GET /api/routes}: each route with the nodes serving it, and the conflicts. */
  public JsonObject toJson() {
    Snapshot view = snapshot;
    JsonArray routes = new JsonArray();
    view.routes.forEach((kind, entries) -> entries.forEach(entry -> routes.add(new JsonObject()
        .put("kind", kind.label()).put("pattern", entry.pattern).put("consumer", entry.consumer))));
    JsonArray conflicts = new JsonArray();
    view.conflicts.forEach((pattern, consumers) -> conflicts.add(new JsonObject()
        .put("route", pattern).put("consumers", new JsonArray(List.copyOf(consumers)))));
    return new JsonObject().put("routes", routes).put("conflicts", conflicts);
  }

  private void received(JsonObject json) {
    parse(json).ifPresent(announcement -> {
      if (early != null) {
        early.add(announcement);
      } else {
        apply(announcement);
        rebuild();
      }
    });
  }

  private Optional<RouteAnnouncement> parse(JsonObject json) {
    try {
      return Optional.of(RouteAnnouncement.fromJson(json));
    } catch (IllegalArgumentException e) {
      refused.increment();
      log.warn("refused a route announcement: {}", e.getMessage());
      return Optional.empty();
    }
  }

  private void apply(RouteAnnouncement announcement) {
    RouteAnnouncement current = sources.get(announcement.key());
    if (current != null && current.version() >= announcement.version()) {
      return; // a stale copy (the map and the stream can both deliver one announcement)
    }
    if (announcement.withdrawn()) {
      sources.remove(announcement.key());
      return;
    }
    if (current == null && sources.size() >= MAX_SOURCES) {
      refused.increment();
      log.warn("refused routes of {}: {} sources are announced already", announcement.key(), MAX_SOURCES);
      return;
    }
    sources.put(announcement.key(), announcement);
  }

  private void nodeLeft(String node) {
    context.runOnContext(v -> {
      if (sources.values().removeIf(announcement -> announcement.node().equals(node))) {
        rebuild();
        log.info("dropped the routes of node {}, which left the cluster", node);
      }
      vertx.sharedData().<String, JsonObject>getAsyncMap(Addresses.ROUTES_MAP)
          .compose(map -> map.keys().compose(keys -> Future.all(keys.stream()
              .filter(key -> key.startsWith(node + "/")).map(map::remove).toList())))
          .onFailure(err -> log.debug("could not clear the routes of node {} from the map: {}", node, err.getMessage()));
    });
  }

  /** Recomputes the snapshot: one entry per (kind, pattern), the oldest announcement first; conflicts reported. */
  private void rebuild() {
    Map<String, Entry> byKey = new LinkedHashMap<>();
    Map<String, Set<String>> consumersByKey = new TreeMap<>();
    // (kind, pattern) -> the sources announcing it -> the consumer each names
    Map<String, Map<String, String>> announcers = new HashMap<>();
    for (RouteAnnouncement announcement : sources.values()) {
      long seen = firstSeen.computeIfAbsent(announcement.key(), k -> order++);
      long seenAt = firstSeenAt.computeIfAbsent(announcement.key(), k -> System.currentTimeMillis());
      for (Route route : announcement.routes()) {
        String key = route.kind().label() + " " + route.pattern();
        consumersByKey.computeIfAbsent(key, k -> new java.util.TreeSet<>()).add(route.consumer());
        announcers.computeIfAbsent(key, k -> new HashMap<>()).put(announcement.key(), route.consumer());
        Entry entry = byKey.get(key);
        if (entry == null || entry.order > seen) {
          byKey.put(key, new Entry(key, route.pattern(), RoutePattern.compile(route.pattern()), route.consumer(), seen, seenAt));
        }
      }
    }
    firstSeen.keySet().retainAll(sources.keySet());
    firstSeenAt.keySet().retainAll(sources.keySet());
    Map<String, Set<String>> conflicts = consumersByKey.entrySet().stream().filter(e -> e.getValue().size() > 1)
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, TreeMap::new));
    shadowing(byKey.values(), announcers).forEach((specific, broad) -> {
      byKey.remove(specific.key);
      Set<String> consumers = conflicts.computeIfAbsent(specific.key, k -> new java.util.TreeSet<>());
      consumers.addAll(consumersByKey.get(specific.key));
      consumers.add(broad.consumer);
    });
    Map<Route.Kind, List<Entry>> routes = new HashMap<>();
    byKey.forEach((key, entry) -> routes.computeIfAbsent(Route.Kind.valueOf(key.substring(0, key.indexOf(' ')).toUpperCase()),
        k -> new ArrayList<>()).add(entry));
    routes.values().forEach(list -> list.sort(Comparator.comparingInt((Entry e) -> -e.compiled.specificity())
        .thenComparingLong(Entry::order)));
    Snapshot previous = snapshot;
    snapshot = new Snapshot(routes, conflicts);
    conflictCount.set(conflicts.size());
    conflicts.forEach((pattern, consumers) -> {
      if (!consumers.equals(previous.conflicts.get(pattern))) {
        log.warn("route conflict: {} is announced for consumers {}: the first announced serves an identical pattern, and"
            + " a more specific one that would take another consumer's paths is not served", pattern, consumers);
      }
    });
  }

  /**
   * The entries that would take paths from a route of another consumer (more specific than it, overlapping it, and
   * announced by no source that also announces it for the consumer serving it), each with that route.
   */
  private static Map<Entry, Entry> shadowing(java.util.Collection<Entry> entries, Map<String, Map<String, String>> announcers) {
    Map<Entry, Entry> found = new LinkedHashMap<>();
    Map<String, List<Entry>> byKindAndLength = new HashMap<>();
    for (Entry entry : entries) {
      String kind = entry.key.substring(0, entry.key.indexOf(' '));
      byKindAndLength.computeIfAbsent(kind + " " + entry.pattern.split("/", -1).length, k -> new ArrayList<>()).add(entry);
    }
    for (List<Entry> group : byKindAndLength.values()) {
      for (Entry specific : group) {
        for (Entry broad : group) {
          if (specific.compiled.specificity() > broad.compiled.specificity() && !specific.consumer.equals(broad.consumer)
              && specific.compiled.overlaps(broad.compiled) && !refines(announcers.get(specific.key), announcers.get(broad.key), broad.consumer)) {
            found.put(specific, broad);
            break;
          }
        }
      }
    }
    return found;
  }

  /** Whether a source announcing the specific pattern also announces the broad one for {@code broadConsumer}. */
  private static boolean refines(Map<String, String> specificSources, Map<String, String> broadSources, String broadConsumer) {
    for (String source : specificSources.keySet()) {
      if (broadConsumer.equals(broadSources.get(source))) {
        return true;
      }
    }
    return false;
  }
}

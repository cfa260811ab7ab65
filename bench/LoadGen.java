// WebSocket load generator on Vert.x/Netty (non-blocking, one event loop per core), so that the client is not the
// ceiling: calibrate it in the same run against bench/BareWsServer.java (a trivial Vert.x server).
// Run with the fat jar on the class path (single-file source launch, JDK 17):
//   java -cp deploy/target/switchboard.jar bench/LoadGen.java SCENARIO [--key value ...]
// Scenarios (every one measures --duration s after --warmup s, except where noted):
//   echo     N connections (--conns), each with --inflight messages outstanding; every echo triggers the next send.
//   fanout   --subs subscribers + 1 publisher on one room URL (or a comma list of URLs: subscribers round-robin,
//            the publisher on the first); the publisher sends --rate msg/s, or --burst B messages every
//            --interval-ms; every subscriber must receive every message (deliveries, drops and latency reported).
//   connect  connect storm: open --conns sockets with at most --parallel handshakes in flight, close them all,
//            repeat until --duration s have passed; reports accepts/s and handshake latency.
//   idle     open --conns sockets, print "HOLDING conns=N" and hold them --hold s (each one pings the server with
//            one echo every --ping-every s when > 0; with --release-file PATH, until that file exists, no pings), then
//            every socket sends one message and must get its echo.
//   storm    reconnect storm: open --conns sockets, print "HOLDING conns=N", and reconnect every socket that closes
//            with the JS SDK's policy (capped exponential backoff with jitter: --initial-ms 500, --max-ms 30000,
//            --jitter 0.5); ends --settle s after every dropped socket is back (or at --hold s); reports the drops,
//            the time from the first drop until all are connected again, and per-socket reconnect times.
// Common options: --url (ws://127.0.0.1:8080/ws/echo), --threads (event loops, default cores), --payload bytes (64),
//   --local-addrs 127.0.0.1,127.0.0.2 (spread client sockets over source addresses for more ports),
//   --deadline s (give up, default duration+warmup+60). Env SERVER_PIDS (comma list): that CPU is reported too.
// Prints human lines on stderr and one "RESULT scenario=... key=value ..." line on stdout. Exit 0 when every
// expected message/connection completed, 2 otherwise. Every loop is bounded (by count or deadline).
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.*;

public class LoadGen {

  // ---- options ---------------------------------------------------------------------------------------------
  static final Map<String, String> OPT = new HashMap<>();
  static String opt(String k, String d) { return OPT.getOrDefault(k, d); }
  static int iopt(String k, int d) { return Integer.parseInt(opt(k, Integer.toString(d))); }
  static double dopt(String k, double d) { return Double.parseDouble(opt(k, Double.toString(d))); }

  static final String MARK = "LG|";          // every measured frame carries MARK + sendNanos + '|' (survives upper-casing)
  static Vertx vertx;
  static List<WebSocketClient> clients = new ArrayList<>();
  static final AtomicInteger nextClient = new AtomicInteger();
  static final AtomicLong errors = new AtomicLong();
  static final AtomicReference<String> firstError = new AtomicReference<>();

  public static void main(String[] args) throws Exception {
    if (args.length < 1) { System.err.println("usage: LoadGen echo|fanout|connect|idle [--key value ...]"); System.exit(2); }
    for (int i = 1; i + 1 < args.length; i += 2) OPT.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    int threads = iopt("threads", Runtime.getRuntime().availableProcessors());
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(threads).setBlockedThreadCheckInterval(10_000));
    for (String local : opt("local-addrs", "").split(",")) {
      WebSocketClientOptions o = new WebSocketClientOptions().setMaxConnections(1_000_000)
          .setConnectTimeout(10_000).setIdleTimeout(0).setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 20)
          .setTryUsePerMessageCompression(false);
      if (!local.isBlank()) o.setLocalAddress(local.trim());
      clients.add(vertx.createWebSocketClient(o));
    }
    int rc;
    try {
      rc = switch (args[0]) {
        case "echo" -> echo();
        case "fanout" -> fanout();
        case "connect" -> connectStorm();
        case "idle" -> idle();
        case "storm" -> storm();
        default -> { System.err.println("unknown scenario " + args[0]); yield 2; }
      };
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
    System.exit(rc);
  }

  static long deadlineNanos() {
    double s = dopt("deadline", dopt("duration", 10) + dopt("warmup", 5) + dopt("hold", 0) + 60);
    return System.nanoTime() + (long) (s * 1e9);
  }

  static void error(Throwable t) {
    errors.incrementAndGet();
    firstError.compareAndSet(null, t.getClass().getSimpleName() + ": " + t.getMessage());
  }

  static Future<WebSocket> open(String url) {
    URI u = URI.create(url);
    int port = u.getPort() > 0 ? u.getPort() : 80;
    String path = u.getRawPath() + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
    WebSocketClient c = clients.get(Math.floorMod(nextClient.getAndIncrement(), clients.size()));
    return c.connect(new WebSocketConnectOptions().setHost(u.getHost()).setPort(port).setURI(path));
  }

  /** Opens n sockets with at most `parallel` handshakes in flight; completes with them (failures counted). */
  static List<WebSocket> openAll(List<String> urls, int n, int parallel, Histogram connectLat, long deadline) throws InterruptedException {
    List<WebSocket> out = Collections.synchronizedList(new ArrayList<>(n));
    Semaphore slots = new Semaphore(parallel);
    CountDownLatch done = new CountDownLatch(n);
    for (int i = 0; i < n; i++) {
      long left = deadline - System.nanoTime();
      if (left <= 0 || !slots.tryAcquire(left, TimeUnit.NANOSECONDS)) { error(new TimeoutException("connect deadline")); done.countDown(); continue; }
      long t0 = System.nanoTime();
      open(urls.get(i % urls.size())).onComplete(ar -> {
        slots.release();
        if (ar.succeeded()) { if (connectLat != null) connectLat.record(System.nanoTime() - t0); out.add(ar.result()); }
        else error(ar.cause());
        done.countDown();
      });
    }
    done.await(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    return new ArrayList<>(out);
  }

  static String payload(long sendNanos, int size) {
    StringBuilder b = new StringBuilder(size + 24).append(MARK).append(sendNanos).append('|');
    while (b.length() < size) b.append('x');
    return b.toString();
  }

  /** The send time carried by a frame, or -1 when it carries none (history, welcome frames...). */
  static long sentAt(String text) {
    int i = text.indexOf(MARK);
    if (i < 0) return -1;
    long v = 0;
    for (int j = i + MARK.length(); j < text.length(); j++) {
      char c = text.charAt(j);
      if (c < '0' || c > '9') return v;
      v = v * 10 + (c - '0');
    }
    return v;
  }

  /** Whether a fan-out frame belongs to the measured window ('m' after the send time) rather than the warm-up. */
  static boolean measured(String text) {
    int j = text.indexOf(MARK) + MARK.length();
    while (j < text.length() && Character.isDigit(text.charAt(j))) j++;
    return j + 1 < text.length() && Character.toLowerCase(text.charAt(j + 1)) == 'm';
  }

  static void closeAll(List<WebSocket> sockets) {
    List<Future<Void>> fs = new ArrayList<>();
    for (WebSocket ws : sockets) fs.add(ws.close().otherwise((Void) null));
    try { Future.join(fs).await(20, TimeUnit.SECONDS); } catch (Exception e) { /* closing is best effort */ }
  }

  // ---- echo ------------------------------------------------------------------------------------------------
  static int echo() throws Exception {
    String url = opt("url", "ws://127.0.0.1:8080/ws/echo");
    int conns = iopt("conns", 50), inflight = iopt("inflight", 1), size = iopt("payload", 64);
    double warm = dopt("warmup", 5), dur = dopt("duration", 10);
    long deadline = deadlineNanos();
    List<WebSocket> sockets = openAll(List.of(url), conns, iopt("parallel", 64), null, deadline);
    Histogram lat = new Histogram();
    AtomicBoolean measuring = new AtomicBoolean(), stop = new AtomicBoolean();
    LongAdder received = new LongAdder(), sent = new LongAdder();
    AtomicLong outstanding = new AtomicLong();
    for (WebSocket ws : sockets) {
      ws.exceptionHandler(LoadGen::error);
      ws.textMessageHandler(text -> {
        long t = sentAt(text);
        outstanding.decrementAndGet();
        if (t < 0) return;
        long now = System.nanoTime();
        if (measuring.get()) { lat.record(now - t); received.increment(); }
        if (!stop.get()) { outstanding.incrementAndGet(); sent.increment(); ws.writeTextMessage(payload(System.nanoTime(), size)); }
      });
    }
    for (WebSocket ws : sockets)
      for (int k = 0; k < inflight; k++) { outstanding.incrementAndGet(); ws.writeTextMessage(payload(System.nanoTime(), size)); }
    log("echo: %d/%d connected, %d in flight each, warm-up %.0f s", sockets.size(), conns, inflight, warm);
    sleepSeconds(warm);
    Window w = Window.start();
    measuring.set(true);
    sleepSeconds(dur);
    measuring.set(false);
    w.end();
    stop.set(true);
    long drainUntil = Math.min(deadline, System.nanoTime() + 10_000_000_000L);
    while (outstanding.get() > 0 && System.nanoTime() < drainUntil) Thread.sleep(20);   // bounded drain, not synchronisation of a test
    long lost = Math.max(0, outstanding.get());
    closeAll(sockets);
    result("echo", w, "url", url, "conns", sockets.size(), "inflight", inflight, "payload", size,
        "msgs", received.sum(), "msgs_per_s", rate(received.sum(), w), lat, "unanswered", lost);
    return sockets.size() == conns && lost == 0 && errors.get() == 0 ? 0 : 2;
  }

  // ---- fan-out ---------------------------------------------------------------------------------------------
  static int fanout() throws Exception {
    List<String> urls = List.of(opt("url", "ws://127.0.0.1:8080/ws/rooms/bench").split(","));
    int subs = iopt("subs", 100), size = iopt("payload", 64), burst = iopt("burst", 0);
    double rate = dopt("rate", 20), warm = dopt("warmup", 5), dur = dopt("duration", 10);
    long interval = (long) (burst > 0 ? dopt("interval-ms", 1000) * 1e6 : 1e9 / rate);
    long deadline = deadlineNanos();
    Histogram connectLat = new Histogram();
    long c0 = System.nanoTime();
    List<WebSocket> sockets = openAll(urls, subs, iopt("parallel", 64), connectLat, deadline);
    double connectS = (System.nanoTime() - c0) / 1e9;
    List<WebSocket> pubList = openAll(List.of(urls.get(0)), 1, 1, null, deadline);
    if (pubList.isEmpty()) { result("fanout", null, "error", "publisher did not connect"); return 2; }
    WebSocket pub = pubList.get(0);
    pub.textMessageHandler(t -> { });
    Histogram lat = new Histogram();
    AtomicBoolean measuring = new AtomicBoolean();
    LongAdder delivered = new LongAdder(), warmDelivered = new LongAdder();
    for (WebSocket ws : sockets) {
      ws.exceptionHandler(LoadGen::error);
      ws.closeHandler(v -> { if (ws.closeStatusCode() != null && ws.closeStatusCode() != 1000) error(new IllegalStateException("closed " + ws.closeStatusCode() + " " + ws.closeReason())); });
      ws.textMessageHandler(text -> {
        long t = sentAt(text);
        if (t < 0) return;
        if (!measured(text)) { warmDelivered.increment(); return; }
        lat.record(System.nanoTime() - t);
        delivered.increment();
      });
    }
    log("fanout: %d/%d subscribers over %d url(s) in %.1f s; %s; warm-up %.0f s", sockets.size(), subs, urls.size(), connectS,
        burst > 0 ? burst + " msgs every " + (interval / 1_000_000) + " ms" : rate + " msg/s", warm);
    // Warm-up: unmarked frames (no "|m"), not counted; then the measured window with marked ones.
    publish(pub, warm, interval, Math.max(1, burst), size, false, deadline);
    Window w = Window.start();
    long published = publish(pub, dur, interval, Math.max(1, burst), size, true, deadline);
    long expected = published * sockets.size();
    long drainUntil = Math.min(deadline, System.nanoTime() + (long) (dopt("drain", 30) * 1e9));
    while (delivered.sum() < expected && System.nanoTime() < drainUntil) Thread.sleep(20);   // bounded wait for stragglers
    w.end();
    long got = delivered.sum();
    closeAll(sockets);
    closeAll(List.of(pub));
    result("fanout", w, "urls", urls.size(), "subs", sockets.size(), "connect_s", String.format(Locale.ROOT, "%.2f", connectS),
        "published", published, "delivered", got, "dropped", expected - got,
        "deliveries_per_s", rate(got, w), lat, "connect_p99_ms", String.format(Locale.ROOT, "%.1f", connectLat.percentile(99) / 1e6));
    return sockets.size() == subs && got == expected && errors.get() == 0 ? 0 : 2;
  }

  /** Sends `perTick` frames every `interval` ns for `seconds` s, on the publisher's context; returns frames sent. */
  static long publish(WebSocket pub, double seconds, long interval, int perTick, int size, boolean marked, long deadline) throws Exception {
    long end = Math.min(deadline, System.nanoTime() + (long) (seconds * 1e9));
    long next = System.nanoTime(), n = 0;
    while (next < end) {
      long wait = next - System.nanoTime();
      if (wait > 0) LockSupportPark.parkNanos(wait);
      for (int i = 0; i < perTick; i++) {
        String frame = payload(System.nanoTime(), 0) + (marked ? "m" : "w") + n;
        StringBuilder b = new StringBuilder(frame);
        while (b.length() < size) b.append('x');
        pub.writeTextMessage(b.toString());
        n++;
      }
      next += interval;
    }
    return n;
  }

  static final class LockSupportPark { static void parkNanos(long n) { java.util.concurrent.locks.LockSupport.parkNanos(n); } }

  // ---- connect storm ---------------------------------------------------------------------------------------
  static int connectStorm() throws Exception {
    String url = opt("url", "ws://127.0.0.1:8080/ws/echo");
    int conns = iopt("conns", 1000), parallel = iopt("parallel", 64);
    double warm = dopt("warmup", 2), dur = dopt("duration", 10);
    long deadline = deadlineNanos();
    Histogram lat = new Histogram();
    long warmEnd = System.nanoTime() + (long) (warm * 1e9);
    while (System.nanoTime() < warmEnd) closeAll(openAll(List.of(url), Math.min(conns, 500), parallel, null, deadline));
    errors.set(0);
    Window w = Window.start();
    long end = System.nanoTime() + (long) (dur * 1e9), opened = 0, openNanos = 0;
    int rounds = 0;
    do {
      long t0 = System.nanoTime();
      List<WebSocket> s = openAll(List.of(url), conns, parallel, lat, deadline);
      openNanos += System.nanoTime() - t0;
      opened += s.size();
      rounds++;
      closeAll(s);
    } while (System.nanoTime() < end && System.nanoTime() < deadline);
    w.end();
    result("connect", w, "url", url, "conns_per_round", conns, "parallel", parallel, "rounds", rounds, "opened", opened,
        "accepts_per_s", String.format(Locale.ROOT, "%.0f", opened / (openNanos / 1e9)), lat);
    return errors.get() == 0 ? 0 : 2;
  }

  // ---- idle holding ----------------------------------------------------------------------------------------
  static int idle() throws Exception {
    String url = opt("url", "ws://127.0.0.1:8080/ws/echo");
    int conns = iopt("conns", 1000);
    double hold = dopt("hold", 10), pingEvery = dopt("ping-every", 0);
    long deadline = deadlineNanos();
    long c0 = System.nanoTime();
    List<WebSocket> sockets = openAll(List.of(url), conns, iopt("parallel", 64), null, deadline);
    double connectS = (System.nanoTime() - c0) / 1e9;
    Histogram lat = new Histogram();
    LongAdder answered = new LongAdder(), closedEarly = new LongAdder();
    for (WebSocket ws : sockets) {
      ws.exceptionHandler(LoadGen::error);
      ws.closeHandler(v -> closedEarly.increment());
      ws.textMessageHandler(text -> { long t = sentAt(text); if (t >= 0) { lat.record(System.nanoTime() - t); answered.increment(); } });
    }
    System.out.println("HOLDING conns=" + sockets.size() + " connect_s=" + String.format(Locale.ROOT, "%.2f", connectS));
    System.out.flush();
    Window w = Window.start();
    long holdEnd = System.nanoTime() + (long) (hold * 1e9);
    long pings = 0;
    java.nio.file.Path release = OPT.containsKey("release-file") ? java.nio.file.Path.of(opt("release-file", "")) : null;
    while (System.nanoTime() < holdEnd && (release == null || !java.nio.file.Files.exists(release))) {
      long step = release != null ? 100_000_000L : pingEvery > 0 ? (long) (pingEvery * 1e9) : holdEnd - System.nanoTime();
      LockSupportPark.parkNanos(Math.min(step, holdEnd - System.nanoTime()));
      if (pingEvery > 0 && release == null && System.nanoTime() < holdEnd) { for (WebSocket ws : sockets) ws.writeTextMessage(payload(System.nanoTime(), 32)); pings++; }
    }
    answered.reset();
    for (WebSocket ws : sockets) ws.writeTextMessage(payload(System.nanoTime(), 32));
    long until = Math.min(deadline, System.nanoTime() + 30_000_000_000L);
    while (answered.sum() < sockets.size() && System.nanoTime() < until) Thread.sleep(20);   // bounded wait for the last echoes
    w.end();
    long ok = answered.sum(), early = closedEarly.sum();
    closeAll(sockets);
    result("idle", w, "url", url, "conns", sockets.size(), "connect_s", String.format(Locale.ROOT, "%.2f", connectS),
        "ping_rounds", pings, "echoing_after_hold", ok, "closed_during_hold", early, lat);
    return sockets.size() == conns && ok >= sockets.size() && early == 0 ? 0 : 2;
  }

  // ---- reconnect storm --------------------------------------------------------------------------------------
  static int storm() throws Exception {
    String url = opt("url", "ws://127.0.0.1:8080/ws/echo");
    int conns = iopt("conns", 1000);
    double hold = dopt("hold", 120), settle = dopt("settle", 3);
    long initialMs = iopt("initial-ms", 500), maxMs = iopt("max-ms", 30000);
    double jitter = dopt("jitter", 0.5);
    long deadline = deadlineNanos();
    List<WebSocket> sockets = openAll(List.of(url), conns, iopt("parallel", 64), null, deadline);
    Histogram reconnect = new Histogram();
    AtomicInteger open = new AtomicInteger(sockets.size());
    LongAdder drops = new LongAdder(), attempts = new LongAdder(), failedAttempts = new LongAdder();
    AtomicLong firstDrop = new AtomicLong(), lastBack = new AtomicLong();
    class Reconnector {
      void watch(WebSocket ws) {
        ws.exceptionHandler(e -> { });
        ws.closeHandler(v -> {
          long at = System.nanoTime();
          open.decrementAndGet();
          drops.increment();
          firstDrop.compareAndSet(0, at);
          retry(at, 1);
        });
      }
      void retry(long droppedAt, int attempt) {
        long exp = Math.min(maxMs, initialMs << Math.min(20, attempt - 1));
        long delay = Math.max(1, Math.round(exp * (1 - jitter) + ThreadLocalRandom.current().nextDouble() * exp * jitter));
        if (System.nanoTime() + delay * 1_000_000 > deadline) return;
        vertx.setTimer(delay, t -> {
          attempts.increment();
          open(url).onSuccess(ws -> {
            long now = System.nanoTime();
            reconnect.record(now - droppedAt);
            open.incrementAndGet();
            lastBack.set(now);
            watch(ws);
          }).onFailure(e -> { failedAttempts.increment(); retry(droppedAt, attempt + 1); });
        });
      }
    }
    Reconnector r = new Reconnector();
    sockets.forEach(r::watch);
    System.out.println("HOLDING conns=" + sockets.size());
    System.out.flush();
    Window w = Window.start();
    long end = System.nanoTime() + (long) (hold * 1e9);
    // bounded: until every dropped socket is back and stayed so for --settle s, or --hold s
    while (System.nanoTime() < end) {
      Thread.sleep(50);
      long back = lastBack.get();
      if (drops.sum() > 0 && open.get() >= sockets.size() && back > 0 && System.nanoTime() - back > settle * 1e9) break;
    }
    w.end();
    long allBackMs = firstDrop.get() == 0 || open.get() < sockets.size() ? -1 : (lastBack.get() - firstDrop.get()) / 1_000_000;
    result("storm", w, "url", url, "conns", sockets.size(), "dropped", drops.sum(), "open_at_end", open.get(),
        "all_back_after_ms", allBackMs, "attempts", attempts.sum(), "failed_attempts", failedAttempts.sum(),
        "backoff", initialMs + "ms-" + maxMs + "ms-j" + jitter, reconnect);
    return drops.sum() > 0 && open.get() >= sockets.size() ? 0 : 2;
  }

  // ---- measurement helpers ---------------------------------------------------------------------------------
  static void sleepSeconds(double s) throws InterruptedException { Thread.sleep((long) (s * 1000)); }   // phase length of a benchmark, not a test wait

  static String rate(long n, Window w) { return String.format(Locale.ROOT, "%.0f", n / (w.wallNanos / 1e9)); }

  static void log(String fmt, Object... a) { System.err.println("== " + String.format(Locale.ROOT, fmt, a)); }

  static void result(String scenario, Window w, Object... kv) {
    StringBuilder b = new StringBuilder("RESULT scenario=").append(scenario);
    for (int i = 0; i < kv.length; i++) {
      if (kv[i] instanceof Histogram h) {
        b.append(String.format(Locale.ROOT, " p50_us=%.0f p99_us=%.0f p999_us=%.0f max_us=%.0f samples=%d",
            h.percentile(50) / 1e3, h.percentile(99) / 1e3, h.percentile(99.9) / 1e3, h.max() / 1e3, h.count()));
      } else { b.append(' ').append(kv[i]).append('=').append(kv[++i]); }
    }
    if (w != null) {
      b.append(String.format(Locale.ROOT, " window_s=%.1f client_cpu_pct=%.0f", w.wallNanos / 1e9, 100.0 * w.cpuNanos / w.wallNanos));
      if (w.serverCpuNanos >= 0) b.append(String.format(Locale.ROOT, " server_cpu_pct=%.0f", 100.0 * w.serverCpuNanos / w.wallNanos));
    }
    b.append(" errors=").append(errors.get());
    if (firstError.get() != null) b.append(" first_error=\"").append(firstError.get().replace('"', '\'')).append('"');
    System.out.println(b);
  }

  /** A measured window: wall time, this process's CPU, and the CPU of SERVER_PIDS (with their descendants). */
  static final class Window {
    long wall0, cpu0, srv0, wallNanos, cpuNanos, serverCpuNanos = -1;
    static Window start() { Window w = new Window(); w.wall0 = System.nanoTime(); w.cpu0 = selfCpu(); w.srv0 = serverCpu(); return w; }
    void end() {
      wallNanos = System.nanoTime() - wall0; cpuNanos = selfCpu() - cpu0;
      if (!serverPids().isEmpty()) serverCpuNanos = serverCpu() - srv0;
    }
    static long selfCpu() { return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime(); }
    static List<Long> serverPids() {
      List<Long> l = new ArrayList<>();
      for (String s : System.getenv().getOrDefault("SERVER_PIDS", "").split(",")) if (!s.isBlank()) l.add(Long.parseLong(s.trim()));
      return l;
    }
    static long serverCpu() {
      long t = 0;
      for (long pid : serverPids()) {
        Optional<ProcessHandle> ph = ProcessHandle.of(pid);
        if (ph.isEmpty()) continue;
        t += ph.get().info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
        for (ProcessHandle d : (Iterable<ProcessHandle>) ph.get().descendants()::iterator)
          t += d.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
      }
      return t;
    }
  }

  /**
   * Log-linear latency histogram in nanoseconds, 32 sub-buckets per power of two (relative error < 3.2 %), thread
   * safe without locks (one striped counter array); like HdrHistogram at 1.5 significant digits, no dependency.
   */
  static final class Histogram {
    static final int SUB = 32, SHIFT = 5;
    final AtomicLongArray counts = new AtomicLongArray(64 * SUB);
    final LongAdder total = new LongAdder();
    final LongAccumulator max = new LongAccumulator(Long::max, 0);

    void record(long v) {
      if (v < 0) v = 0;
      counts.incrementAndGet(index(v));
      total.increment();
      max.accumulate(v);
    }
    static int index(long v) {
      if (v < 2 * SUB) return (int) v;
      int m = 63 - Long.numberOfLeadingZeros(v);                 // floor(log2 v) >= SHIFT + 1
      int sub = (int) ((v >>> (m - SHIFT)) & (SUB - 1));
      return 2 * SUB + (m - SHIFT - 1) * SUB + sub;
    }
    static long lowerBound(int i) {
      if (i < 2 * SUB) return i;
      int m = (i - 2 * SUB) / SUB + SHIFT + 1, sub = (i - 2 * SUB) % SUB;
      return ((long) (SUB + sub)) << (m - SHIFT);
    }
    long count() { return total.sum(); }
    long max() { return max.get(); }
    double percentile(double p) {
      long n = count();
      if (n == 0) return Double.NaN;
      long rank = (long) Math.ceil(p / 100.0 * n), seen = 0;
      for (int i = 0; i < counts.length(); i++) {
        seen += counts.get(i);
        if (seen >= rank) return Math.min(lowerBound(i + 1), max());   // upper edge of the bucket, capped at the max seen
      }
      return max();
    }
  }
}

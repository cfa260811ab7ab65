// Fan-out load client for rooms spread over several gateways; plain RFC 6455 via java.net.http (JDK 17).
// Same scenario and RESULT line as ../shared/peers/loadgen/WsBench.java fanout, but the subscribers are
// split round-robin over several URLs of the same room (one per gateway), the publisher on the first.
//   java bench/FanoutBench.java <url1,url2,...> <subscribers> <msgs>
// Each of <msgs> text frames "seq:sendNanoTime" must reach every subscriber; 5 warm-up frames first.
// Env: WS_THREADS (default 2), WS_DEADLINE_S (default 120), WS_CONNECT_PARALLEL (default 64).
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.*;

public class FanoutBench {
    static final int THREADS = Integer.parseInt(System.getenv().getOrDefault("WS_THREADS", "2"));
    static final long DEADLINE_S = Long.parseLong(System.getenv().getOrDefault("WS_DEADLINE_S", "120"));
    static final int PARALLEL = Integer.parseInt(System.getenv().getOrDefault("WS_CONNECT_PARALLEL", "64"));
    static final int WARM = 5;
    static final ExecutorService POOL = Executors.newFixedThreadPool(THREADS, r -> { Thread t = new Thread(r, "ws-cb"); t.setDaemon(true); return t; });
    static final HttpClient HTTP = HttpClient.newBuilder().executor(POOL).build();

    static class Sub implements WebSocket.Listener {
        final StringBuilder buf = new StringBuilder();
        final long[] lat; final int base, msgs; int got, warm;
        final CompletableFuture<Void> done = new CompletableFuture<>();
        final CountDownLatch warmed;
        final AtomicLong lastRecv;
        WebSocket ws;
        Sub(long[] lat, int base, int msgs, CountDownLatch warmed, AtomicLong lastRecv) { this.lat = lat; this.base = base; this.msgs = msgs; this.warmed = warmed; this.lastRecv = lastRecv; }
        public void onOpen(WebSocket w) { ws = w; w.request(1); }
        public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
            buf.append(data);
            if (last) { onMessage(buf.toString(), System.nanoTime()); buf.setLength(0); }
            w.request(1);
            return null;
        }
        public void onError(WebSocket w, Throwable e) { done.completeExceptionally(e); }
        public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
            if (!done.isDone()) done.completeExceptionally(new IllegalStateException("closed " + code + " " + reason));
            return null;
        }
        void onMessage(String s, long now) {
            if (s.startsWith("w")) { if (++warm == WARM) warmed.countDown(); return; }
            int c = s.indexOf(':');
            if (c < 0 || got >= msgs) return;
            lat[base + got++] = now - Long.parseLong(s.substring(c + 1));
            lastRecv.accumulateAndGet(now, Math::max);
            if (got == msgs) done.complete(null);
        }
    }

    static double pct(long[] sorted, int n, double p) {
        if (n == 0) return Double.NaN;
        return sorted[Math.max(0, Math.min(n - 1, (int) Math.ceil(p / 100.0 * n) - 1))] / 1e6;
    }

    public static void main(String[] a) throws Exception {
        String[] urls = a[0].split(",");
        int subs = Integer.parseInt(a[1]), msgs = Integer.parseInt(a[2]);
        long[] lat = new long[subs * msgs];
        AtomicLong lastRecv = new AtomicLong();
        CountDownLatch warmed = new CountDownLatch(subs);
        List<Sub> cs = new ArrayList<>();
        Semaphore sem = new Semaphore(PARALLEL);
        List<CompletableFuture<WebSocket>> opening = new ArrayList<>();
        long c0 = System.nanoTime();
        for (int i = 0; i < subs; i++) {
            Sub s = new Sub(lat, i * msgs, msgs, warmed, lastRecv);
            cs.add(s);
            sem.acquire();
            CompletableFuture<WebSocket> f = HTTP.newWebSocketBuilder().buildAsync(URI.create(urls[i % urls.length]), s);
            f.whenComplete((w, e) -> sem.release());
            opening.add(f);
        }
        CompletableFuture.allOf(opening.toArray(new CompletableFuture[0])).get(120, TimeUnit.SECONDS);
        Sub pubListener = new Sub(new long[0], 0, 0, new CountDownLatch(0), new AtomicLong());
        WebSocket pub = HTTP.newWebSocketBuilder().buildAsync(URI.create(urls[0]), pubListener).get(30, TimeUnit.SECONDS);
        double connectS = (System.nanoTime() - c0) / 1e9;
        CompletableFuture<WebSocket> chain = CompletableFuture.completedFuture(pub);
        for (int i = 0; i < WARM; i++) { int seq = i; chain = chain.thenCompose(w -> w.sendText("w" + seq + ":0", true)); }
        if (!warmed.await(60, TimeUnit.SECONDS)) throw new IllegalStateException("warm-up did not reach every subscriber");
        long t0 = System.nanoTime();
        chain = CompletableFuture.completedFuture(pub);
        for (int i = 0; i < msgs; i++) { int seq = i; chain = chain.thenCompose(w -> w.sendText(seq + ":" + System.nanoTime(), true)); }
        boolean ok = true; String err = "";
        try {
            CompletableFuture.allOf(cs.stream().map(s -> s.done).toArray(CompletableFuture[]::new)).get(DEADLINE_S, TimeUnit.SECONDS);
        } catch (Exception e) { ok = false; err = String.valueOf(e.getCause() != null ? e.getCause() : e); }
        long tEnd = System.nanoTime();
        int n = 0;
        for (Sub s : cs) n += s.got;
        long[] got = new long[n];
        int k = 0;
        for (Sub s : cs) { System.arraycopy(lat, s.base, got, k, s.got); k += s.got; }
        Arrays.sort(got);
        double secs = ((ok ? lastRecv.get() : tEnd) - t0) / 1e9;
        System.out.printf(Locale.ROOT, "RESULT client=fanoutbench scenario=fanout urls=%d subscribers=%d msgs=%d received=%d expected=%d connect_s=%.2f "
                + "all_delivered_s=%.3f deliveries_per_s=%.0f lat_p50_ms=%.2f lat_p99_ms=%.2f lat_max_ms=%.2f ok=%s%s%n",
            urls.length, subs, msgs, n, subs * msgs, connectS, secs, n / secs, pct(got, n, 50), pct(got, n, 99), pct(got, n, 100),
            ok, ok ? "" : " error=\"" + err + "\"");
        for (Sub s : cs) if (s.ws != null) s.ws.abort();
        pub.abort();
        System.exit(ok ? 0 : 2);
    }
}

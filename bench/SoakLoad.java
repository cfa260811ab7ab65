import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The soak's load (bench/soak.sh runs it): for SECONDS seconds, every tick opens SOCKETS chat sockets in ROOMS
 * rooms, sends one message on each (a group send to its room), closes as many of the oldest so that at most
 * POOL stay open, and submits TASKS add tasks. Every loop is bounded; prints its counters each 10 s.
 * Usage: java bench/SoakLoad.java http://127.0.0.1:8080 SECONDS [SOCKETS POOL TASKS ROOMS]
 */
public final class SoakLoad {

  public static void main(String[] args) throws Exception {
    String base = args[0];
    long seconds = Long.parseLong(args[1]);
    int perTick = args.length > 2 ? Integer.parseInt(args[2]) : 20;
    int pool = args.length > 3 ? Integer.parseInt(args[3]) : 500;
    int tasks = args.length > 4 ? Integer.parseInt(args[4]) : 10;
    int rooms = args.length > 5 ? Integer.parseInt(args[5]) : 20;
    String ws = base.replaceFirst("^http", "ws");
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    Deque<WebSocket> open = new ArrayDeque<>();
    AtomicLong opened = new AtomicLong(), failed = new AtomicLong(), received = new AtomicLong(), submitted = new AtomicLong(), refused = new AtomicLong();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    long tick = 0;
    while (System.nanoTime() < end) {
      long tickStart = System.nanoTime();
      for (int i = 0; i < perTick; i++) {
        String room = "soak-" + (tick * perTick + i) % rooms;
        try {
          WebSocket socket = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
              .buildAsync(URI.create(ws + "/ws/chat/" + room), new WebSocket.Listener() {
                @Override
                public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                  received.incrementAndGet();
                  webSocket.request(1);
                  return null;
                }
              }).get(10, TimeUnit.SECONDS);
          opened.incrementAndGet();
          socket.sendText("{\"message\": \"soak " + tick + "\"}", true);
          open.addLast(socket);
        } catch (Exception e) {
          failed.incrementAndGet();
        }
        while (open.size() > pool) {
          open.pollFirst().sendClose(WebSocket.NORMAL_CLOSURE, "soak");
        }
      }
      CompletableFuture<?>[] posts = new CompletableFuture<?>[tasks];
      for (int i = 0; i < tasks; i++) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/tasks/add")).timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"args\": [" + i + ", " + tick + "]}")).build();
        posts[i] = http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
            .thenAccept(response -> (response.statusCode() == 202 ? submitted : refused).incrementAndGet())
            .exceptionally(err -> { refused.incrementAndGet(); return null; });
      }
      CompletableFuture.allOf(posts).get(30, TimeUnit.SECONDS);
      if (++tick % 10 == 0) {
        System.out.printf("load t=%ds sockets opened=%d failed=%d open=%d messages received=%d tasks accepted=%d refused=%d%n",
            tick, opened.get(), failed.get(), open.size(), received.get(), submitted.get(), refused.get());
      }
      long rest = TimeUnit.SECONDS.toNanos(1) - (System.nanoTime() - tickStart);
      if (rest > 0) {
        TimeUnit.NANOSECONDS.sleep(rest); // pacing a load generator, not synchronisation
      }
    }
    open.forEach(socket -> socket.sendClose(WebSocket.NORMAL_CLOSURE, "soak over"));
    System.out.printf("load done: sockets opened=%d failed=%d, messages received=%d, tasks accepted=%d refused=%d%n",
        opened.get(), failed.get(), received.get(), submitted.get(), refused.get());
  }
}

// A trivial Vert.x 5 WebSocket server, the load generator's calibration target (its ceiling in the same run):
//   /ws/echo           every text frame comes back upper-cased (the same work as Switchboard's /ws/echo)
//   /ws/rooms/{room}   every text frame goes, unchanged, to every socket of the room, the sender included
// No event bus, no JSON, no limits: what remains is Vert.x + Netty + the kernel.
//   java [-Dstrict=true] -cp deploy/target/switchboard.jar bench/BareWsServer.java [port=8090] [eventLoops=cores]
// -Dstrict=true turns on HttpServerOptions.setStrictThreadMode, as the Switchboard gateway does (the socket-heap
// benchmark measures both).
// Prints "bare ws server on PORT" once listening; stops on SIGTERM.
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

public class BareWsServer {
  static final Map<String, Set<ServerWebSocket>> ROOMS = new ConcurrentHashMap<>();

  public static void main(String[] args) {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 8090;
    int loops = args.length > 1 ? Integer.parseInt(args[1]) : Runtime.getRuntime().availableProcessors();
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops));
    List<Future<?>> servers = new ArrayList<>();
    for (int i = 0; i < loops; i++) {   // one server per event loop, sharing the port (Vert.x balances accepts)
      servers.add(vertx.createHttpServer(new HttpServerOptions().setPort(port).setHost("127.0.0.1")
              .setMaxWebSocketFrameSize(1 << 20).setMaxWebSocketMessageSize(1 << 20)
              .setStrictThreadMode(Boolean.getBoolean("strict")))
          .webSocketHandler(BareWsServer::handle).listen());
    }
    Future.all(servers).onSuccess(v -> System.out.println("bare ws server on " + port))
        .onFailure(e -> { e.printStackTrace(); System.exit(1); });
  }

  static void handle(ServerWebSocket ws) {
    String path = ws.path();
    if (path.equals("/ws/echo")) {
      ws.textMessageHandler(t -> ws.writeTextMessage(t.toUpperCase(Locale.ROOT)));
    } else if (path.startsWith("/ws/rooms/")) {
      Set<ServerWebSocket> room = ROOMS.computeIfAbsent(path, k -> ConcurrentHashMap.newKeySet());
      room.add(ws);
      ws.closeHandler(v -> room.remove(ws));
      ws.textMessageHandler(t -> { for (ServerWebSocket m : room) m.writeTextMessage(t); });
    } else {
      ws.close((short) 1008, "no such route");
    }
  }
}

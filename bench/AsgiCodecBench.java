// What one ASGI event costs on the wire between JVM nodes: Vert.x's own JSON codec for JsonObject bodies (the
// default; its encode/decode is reproduced below line for line from io.vertx.core.eventbus.impl.codecs.
// JsonObjectMessageCodec 5.0.7, an impl class) against Switchboard's AsgiWireCodec, for the events of the echo hop.
// Reports wire bytes and heap bytes allocated per encode + decode (ThreadMXBean: a count, not a time, so the
// machine's load does not change it) and, for information only, ns per encode + decode (that one does depend on load).
//   java -cp deploy/target/switchboard.jar bench/AsgiCodecBench.java [iterations=1000000]
import com.sun.management.ThreadMXBean;
import dev.switchboard.api.protocol.Asgi;
import dev.switchboard.shared.channels.AsgiWireCodec;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.Map;

public class AsgiCodecBench {

  /** Vert.x 5.0.7's JsonObjectMessageCodec, as it is. */
  static final class VertxJsonCodec implements MessageCodec<JsonObject, JsonObject> {
    public void encodeToWire(Buffer buffer, JsonObject json) {
      Buffer encoded = json.toBuffer();
      buffer.appendInt(encoded.length());
      buffer.appendBuffer(encoded);
    }
    public JsonObject decodeFromWire(int pos, Buffer buffer) {
      int length = buffer.getInt(pos);
      pos += 4;
      return new JsonObject(buffer.slice(pos, pos + length));
    }
    public JsonObject transform(JsonObject json) { return json.copy(); }
    public String name() { return "jsonobject"; }
    public byte systemCodecID() { return 13; }
  }

  static long sink;

  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    String channel = "switchboard.channel.0f6a3c52-1f7e-4d7a-9c1e-2b1d3e4f5a6b.9b8c7d6e-5f4a-4b3c-8d2e-1f0a9b8c7d6e";
    String text = "LG|123456789012345|" + "x".repeat(45);   // the load generator's 64-character echo frame
    byte[] kb = new byte[1024];
    Map<String, JsonObject> events = Map.of(
        "receive text 64 (gateway -> consumer)", Asgi.receiveText(channel, text),
        "send text 64 (consumer -> gateway inbox)", Asgi.sendText(text.toUpperCase(Locale.ROOT)),
        "receive bytes 1 KiB", Asgi.receiveBytes(channel, Buffer.buffer(kb)),
        "group chat.message (JSON either way)", new JsonObject().put("type", "chat.message").put("room", "lobby")
            .put("user", "anonymous").put("message", "hello").put("ts", 1764640000000L));
    ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    long tid = Thread.currentThread().getId();
    System.out.printf("%-42s %-10s %10s %14s %10s%n", "event", "codec", "wire B", "alloc B/msg", "ns/msg");
    for (var e : events.entrySet()) {
      for (MessageCodec<JsonObject, JsonObject> codec : new MessageCodec[] {new VertxJsonCodec(), new AsgiWireCodec()}) {
        JsonObject event = e.getValue();
        Buffer once = Buffer.buffer();
        codec.encodeToWire(once, event);
        if (!codec.decodeFromWire(0, once).equals(event)) {
          throw new AssertionError(codec.name() + " changed " + event);
        }
        run(codec, event, n / 2);                       // warm-up (JIT)
        long a0 = mx.getThreadAllocatedBytes(tid), t0 = System.nanoTime();
        run(codec, event, n);
        long t1 = System.nanoTime(), a1 = mx.getThreadAllocatedBytes(tid);
        System.out.printf("%-42s %-10s %10d %14.0f %10.0f%n", e.getKey(), codec.name().replace("switchboard.", ""),
            once.length(), (a1 - a0) / (double) n, (t1 - t0) / (double) n);
      }
    }
    System.out.println("(sink " + sink + ")");
  }

  /** Encode into a fresh buffer (as the event bus does per message), then decode it. */
  static void run(MessageCodec<JsonObject, JsonObject> codec, JsonObject event, int n) {
    for (int i = 0; i < n; i++) {
      Buffer wire = Buffer.buffer(128);
      codec.encodeToWire(wire, event);
      sink += codec.decodeFromWire(0, wire).size();
    }
  }
}

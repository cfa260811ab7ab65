package dev.switchboard.shared.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The event-bus bridges: the TCP bridge for services in other languages ({@code tcpBridge}) and the SockJS
 * bridge for web pages ({@code sockjsBridge}). Each permits exactly the addresses listed: {@code inbound} (a
 * client may send or publish to) and {@code outbound} (a client may register for); an entry is an exact
 * address, or a regular expression when written {@code re:REGEX}. Nothing is permitted by default, and the
 * TCP bridge listens only when {@code tcpBridge.port} is set (0 = any free port).
 */
public record BridgeSettings(Tcp tcp, SockJs sockJs) {

  /** The regex marker in a permission list. */
  public static final String REGEX_PREFIX = "re:";

  /**
   * {@code port} -1 = off. Frames whose length prefix exceeds {@code maxFrameBytes} close the connection.
   * {@code routes}: the route patterns a client may announce (exact, or {@code re:REGEX} matched against the whole
   * pattern); none by default, so an announcement is refused unless its every pattern is listed. {@code anyChannel}:
   * whether a client permitted to send to the nodes' inboxes may write to any channel it names, not only to sockets
   * routed to an address it registered (false by default).
   */
  public record Tcp(String host, int port, List<String> inbound, List<String> outbound, int maxFrameBytes,
      List<String> routes, boolean anyChannel) {

    public boolean enabled() {
      return port >= 0;
    }
  }

  /** Messages from a page larger than {@code maxMessageBytes} close its session. */
  public record SockJs(List<String> inbound, List<String> outbound, int maxMessageBytes) {
  }

  static BridgeSettings fromJson(JsonObject root) {
    Settings tcp = new Settings(root, "tcpBridge");
    Settings sockJs = new Settings(root, "sockjsBridge");
    return new BridgeSettings(
        new Tcp(
            tcp.string("host", "127.0.0.1"),
            tcp.integer("port", -1, -1, 65535),
            permissions(tcp, "inbound"),
            permissions(tcp, "outbound"),
            tcp.integer("maxFrameBytes", 1024 * 1024, 64, 64 * 1024 * 1024),
            permissions(tcp, "routes"),
            tcp.flag("anyChannel", false)),
        new SockJs(
            permissions(sockJs, "inbound"),
            permissions(sockJs, "outbound"),
            sockJs.integer("maxMessageBytes", 64 * 1024, 64, 16 * 1024 * 1024)));
  }

  private static List<String> permissions(Settings section, String key) {
    List<String> entries = section.listOrEmpty(key);
    for (String entry : entries) {
      if (entry.equals(REGEX_PREFIX)) {
        throw new ConfigException(key + ": empty regular expression");
      }
      if (entry.startsWith(REGEX_PREFIX)) {
        try {
          java.util.regex.Pattern.compile(entry.substring(REGEX_PREFIX.length()));
        } catch (java.util.regex.PatternSyntaxException e) {
          throw new ConfigException(key + ": invalid regular expression " + entry + ": " + e.getDescription());
        }
      }
    }
    return entries;
  }

  void writeTo(JsonObject root) {
    root.put("tcpBridge", new JsonObject().put("host", tcp.host).put("port", tcp.port)
        .put("inbound", new JsonArray(tcp.inbound)).put("outbound", new JsonArray(tcp.outbound))
        .put("maxFrameBytes", tcp.maxFrameBytes).put("routes", new JsonArray(tcp.routes))
        .put("anyChannel", tcp.anyChannel));
    root.put("sockjsBridge", new JsonObject().put("inbound", new JsonArray(sockJs.inbound))
        .put("outbound", new JsonArray(sockJs.outbound)).put("maxMessageBytes", sockJs.maxMessageBytes));
  }
}

package dev.switchboard.api.protocol;

/**
 * The ASGI-style HTTP events exchanged over the event bus between the gateway and an HTTP consumer (Channels'
 * {@code AsyncHttpConsumer}), the same from a JVM or from a client of the TCP bridge. Every body is a JSON object
 * with a {@code type}; bodies travel as base64 JSON strings, as Vert.x encodes a {@code Buffer}.
 *
 * <ul>
 * <li>gateway → the consumer's shared address, as a request: {@code http.request} {request, reply, channel, method,
 *     path, query, params, headers, user, body, more_body}. The instance that takes it replies at once with
 *     {@code http.accept} {instance, node}; any further part of the request body goes to that instance as
 *     {@code http.request} {request, body, more_body}, each answered (any reply) when taken, so a slow consumer slows
 *     the upload.</li>
 * <li>consumer → {@code reply}: {@code http.response.start} {request, status, headers}, then
 *     {@code http.response.body} {request, body, more_body} as requests: the gateway answers each once it is written to
 *     the client, so a slow client slows the consumer. {@code more_body: false} ends the response.</li>
 * <li>gateway → instance: {@code http.disconnect} {request} when the client went away (or the gateway gave up on the
 *     request) before the response ended.</li>
 * </ul>
 *
 * <p>{@code request} is also the exchange's channel name: the consumer may add it to groups, and group messages for
 * it are handed to the instance serving the exchange, like a WebSocket's.
 */
public final class AsgiHttp {

  public static final String REQUEST = "http.request";
  public static final String ACCEPT = "http.accept";
  public static final String RESPONSE_START = "http.response.start";
  public static final String RESPONSE_BODY = "http.response.body";
  public static final String DISCONNECT = "http.disconnect";

  /** The exchange's id (and channel name), on every event. */
  public static final String REQUEST_ID = "request";
  /** Where the consumer sends its response events. */
  public static final String REPLY = "reply";
  public static final String BODY = "body";
  public static final String MORE_BODY = "more_body";
  public static final String STATUS = "status";
  public static final String HEADERS = "headers";

  private AsgiHttp() {
  }
}

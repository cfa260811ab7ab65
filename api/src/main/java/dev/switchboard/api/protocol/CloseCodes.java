package dev.switchboard.api.protocol;

/** WebSocket close codes (RFC 6455 and the IANA registry) that Switchboard uses, by meaning. */
public final class CloseCodes {

  public static final short NORMAL = 1000;
  public static final short GOING_AWAY = 1001;
  public static final short UNSUPPORTED_DATA = 1003;
  public static final short POLICY_VIOLATION = 1008;
  public static final short MESSAGE_TOO_BIG = 1009;
  public static final short INTERNAL_ERROR = 1011;
  /** The consumer instance serving the socket went away: reconnect and land on another. */
  public static final short SERVICE_RESTART = 1012;
  /** The client cannot keep up with what is sent to it. */
  public static final short TRY_AGAIN_LATER = 1013;

  private CloseCodes() {
  }
}

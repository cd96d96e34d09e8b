package dev.presence.websocket;

/**
 * How heartbeat pings are sent to a WebSocket client. Immutable, hence thread-safe.
 *
 * <p>Either answer counts as a sign of life whatever the style: a pong frame, or the text
 * {@code {"type":"pong"}} (or any other incoming message).
 */
public enum PingStyle {
  /**
   * A WebSocket ping frame. Browsers and the common client libraries answer it with a pong frame
   * on their own, without application code.
   */
  FRAME,
  /**
   * The text {@code {"type":"ping"}} ({@link dev.presence.PresenceMessages#PING}), for clients
   * that answer {@code {"type":"pong"}} in application code.
   */
  JSON,
  /** Both a ping frame and the JSON text: any client that answers either stays online. */
  BOTH
}

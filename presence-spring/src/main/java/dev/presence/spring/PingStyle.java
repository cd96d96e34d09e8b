package dev.presence.spring;

/**
 * How heartbeat pings are sent to a raw WebSocket client. Immutable, hence thread-safe.
 *
 * <p>Whatever the style, every pong frame and every incoming message counts as a sign of life.
 */
public enum PingStyle {
  /** A WebSocket ping frame; browsers and common client libraries answer it on their own. */
  FRAME,
  /** The text {@code {"type":"ping"}}, for clients that answer {@code {"type":"pong"}} in code. */
  JSON,
  /** Both: any client that answers either stays online. */
  BOTH
}

package dev.presence;

/** Why a session ended. Immutable, hence thread-safe. */
public enum DisconnectReason {
  /**
   * The host closed the session ({@link PresenceSession#close()}), e.g. the socket closed
   * normally.
   */
  CLOSED,
  /** No sign of life (message or pong) within the heartbeat timeout. */
  HEARTBEAT_TIMEOUT,
  /** Sending a heartbeat ping failed. */
  PING_FAILED,
  /** A new session connected with the same user id and session id. */
  REPLACED,
  /** The client did not keep up with outbound messages (too many pending sends or bytes). */
  SLOW_CONSUMER,
  /** The registry was closed. */
  REGISTRY_CLOSED,
  /** The transport failed (e.g. a WebSocket container's {@code onError}). */
  ERROR
}

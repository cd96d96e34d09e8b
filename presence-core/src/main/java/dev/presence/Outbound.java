package dev.presence;

/**
 * The transport side of one session: how the registry reaches the client. A WebSocket adapter
 * implements it over its container's session; tests implement it with a recording fake.
 *
 * <p>Implementations must be thread-safe and <b>must never block</b>: the registry calls them
 * from the heartbeat thread and from whatever thread caused a transition. Queue the bytes and
 * return. Throwing from {@link #ping()} tells the registry the channel is dead.
 */
public interface Outbound {

  /**
   * Sends a heartbeat ping (a ping frame, the JSON text {@code {"type":"ping"}}, or both).
   *
   * @throws RuntimeException if the channel is known to be dead; the session is then evicted
   *     with {@link DisconnectReason#PING_FAILED}
   */
  void ping();

  /**
   * Sends one text message, such as a {@code user_status_changed} event.
   *
   * @param text the message; never null
   */
  void send(String text);

  /**
   * Closes the underlying connection because the registry ended the session (heartbeat timeout,
   * replacement, shutdown). Not called when the host itself closed the session.
   *
   * @param reason why the registry ended the session
   */
  void close(DisconnectReason reason);
}
